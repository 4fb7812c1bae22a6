"""Why a staff action failed and what to do about it, in sentences.

Staff read these on the request's page (task panel and timeline), in the ops queue and over
the staff API (``message``), so each says what happened in words (never Python's
representation of an error) and names the next step.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError

from provisioning.choices import RequestAction
from provisioning.exceptions import (
    AllocationConflict,
    IllegalTransition,
    PoolExhausted,
    UnknownScope,
)

# Most specific first: the first class the error is an instance of gives the advice.
# "{again}" is the way to try once more.
ADVICE = (
    (
        PoolExhausted,
        "Add addresses to that pool (admin, Proxy pools), or agree fewer peak users with "
        "the customer, {again}.",
    ),
    (
        UnknownScope,
        "Add a pool that serves it (admin, Proxy pools), or change the request's regions "
        "or ISPs, {again}.",
    ),
    (AllocationConflict, "Nothing was allocated: {again}; the next try picks other addresses."),
    (
        IllegalTransition,
        "The request has moved on since: reload its page and take an action it offers now.",
    ),
    (PermissionDenied, "Ask an ops colleague to take it."),
    (ObjectDoesNotExist, "It was deleted meanwhile: there is nothing left to do."),
    (ValidationError, "Correct what it names on the request's page, {again}."),
    (
        (OperationalError, InterfaceError),
        "Check that the database is up (/readyz answers 200), {again}.",
    ),
)
LOST_ADVICE = (
    "Check the Celery workers' logs (a worker killed by a deploy or for memory stops its "
    "task), {again}."
)


def _label(action: str) -> str:
    try:
        return RequestAction(action).label
    except ValueError:
        return action


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    return text if text[-1] in ".!?" else f"{text}."


def error_text(exc: BaseException) -> str:
    """Return ``exc``'s messages as plain sentences (not a dict or list representation)."""
    messages = getattr(exc, "messages", None) or [str(exc)]
    return " ".join(_sentence(str(message)) for message in messages if str(message).strip())


def action_failure_message(*, action: str, exc: BaseException, attempts: int = 0) -> str:
    """Return why ``action`` failed with ``exc`` and what to do, as sentences."""
    label = _label(action)
    again = f"then click \u201c{label}\u201d again"
    advice = next(
        (text for kind, text in ADVICE if isinstance(exc, kind)),
        "Look at the workers' logs for this task, {again}.",
    )
    what = error_text(exc)
    if isinstance(exc, OperationalError | InterfaceError):
        tries = f" in {attempts} attempts" if attempts else ""
        what = f"The database could not be reached{tries} ({what.rstrip('.')})."
    return f"{label} failed. {what} {advice.format(again=again)}".replace("  ", " ")


def action_lost_message(*, action: str, attempts: int) -> str:
    """Return the message of an action whose worker never finished it, ``attempts`` times."""
    label = _label(action)
    return (
        f"{label} failed: the task gave up after {attempts} attempts that never finished. "
        + LOST_ADVICE.format(again=f"then click \u201c{label}\u201d again")
    )
