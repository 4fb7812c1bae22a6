"""Keep the state of a staff action queued as a task on our own rows (``RequestActionRun``).

Every write here is a short transaction of its own, outside the action's: a database
blip in the action doesn't take its bookkeeping down with it, and staff read where the
action stands from here, not from Celery's result backend. A run holds a lease while a
worker has it; ``action_runs_sweep`` queues a run again once its lease ran out (the
worker was killed), long before the broker would hand the message out again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.queue import task_requeue
from provisioning.choices import FINISHED_ACTION_RUN_STATES, ActionRunState
from provisioning.failures import action_lost_message
from provisioning.models import ProvisioningRequest, RequestActionRun
from provisioning.selectors.action_runs import outcome_message

logger = logging.getLogger(__name__)

State = ActionRunState
# A run started this many times without finishing is given up (a task that kills its
# worker every time must not loop forever).
MAX_ATTEMPTS = 10
# An accepted run that no worker started within this many leases is sent again: its
# message may have been lost with the broker (Redis restarted without its data).
QUEUE_WAIT_LEASES = 5


def _lease(now: datetime, extra: float = 0) -> datetime:
    return now + timedelta(seconds=float(settings.ACTION_LEASE_SECONDS) + extra)


def action_run_accept(
    *, request: ProvisioningRequest, action: str, task_id: str, actor=None
) -> RequestActionRun:
    """Record that ``action`` was accepted for ``request`` as task ``task_id`` (in the
    caller's transaction, with the outbox row that queues it)."""
    lease = float(settings.ACTION_LEASE_SECONDS)
    return RequestActionRun.objects.create(
        request=request,
        action=action,
        task_id=task_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=State.ACCEPTED.label + ".",
        lease_expires_at=_lease(timezone.now(), extra=lease * (QUEUE_WAIT_LEASES - 1)),
    )


def action_run_start(
    *, task_id: str, request_id: int, action: str, now: datetime | None = None
) -> RequestActionRun | None:
    """Mark the run of ``task_id`` running under a fresh lease and return it; None when
    it has already finished (a message delivered twice), which the task then skips."""
    now = now or timezone.now()
    with transaction.atomic():
        run, _ = RequestActionRun.objects.select_for_update().get_or_create(
            task_id=task_id, defaults={"request_id": request_id, "action": action}
        )
        if run.state in FINISHED_ACTION_RUN_STATES:
            return None
        run.state = State.RUNNING
        run.attempts += 1
        run.started_at = run.started_at or now
        run.lease_expires_at = _lease(now)
        run.message = f"Running (attempt {run.attempts})."
        run.save(update_fields=["state", "attempts", "started_at", "lease_expires_at",
                                "message", "updated_at"])  # fmt: skip
    return run


def _finish(task_id: str, *, state: str, message: str, outcome=None) -> None:
    RequestActionRun.objects.filter(task_id=task_id).exclude(
        state__in=FINISHED_ACTION_RUN_STATES
    ).update(
        state=state,
        message=message,
        outcome=outcome,
        lease_expires_at=None,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def action_run_done(*, task_id: str, outcome: dict) -> None:
    """Record that the run of ``task_id`` finished with ``outcome``."""
    _finish(task_id, state=State.DONE, message=outcome_message(outcome), outcome=outcome)


def action_run_fail(*, task_id: str, message: str) -> None:
    """Record that the run of ``task_id`` failed, with a message staff can act on
    (``provisioning/failures.py`` words it)."""
    _finish(task_id, state=State.FAILED, message=message)


def action_run_retrying(*, task_id: str, error: str, countdown: float, attempt: int) -> None:
    """Record that the run of ``task_id`` is tried again in ``countdown`` seconds; its
    lease covers the wait, so a retry that never comes is swept."""
    now = timezone.now()
    RequestActionRun.objects.filter(task_id=task_id).exclude(
        state__in=FINISHED_ACTION_RUN_STATES
    ).update(
        state=State.RETRYING,
        message=f"Retrying in {countdown:.0f} s (attempt {attempt} failed: {error}).",
        lease_expires_at=_lease(now, extra=countdown),
        updated_at=now,
    )


def action_runs_sweep(*, now: datetime | None = None) -> dict:
    """Queue again the runs whose lease ran out (their worker died, or their message was
    lost before any worker took it); give up on runs started ``MAX_ATTEMPTS`` times.
    Return how many of each."""
    now = now or timezone.now()
    expired = RequestActionRun.objects.filter(
        state__in=(State.ACCEPTED, State.RUNNING, State.RETRYING), lease_expires_at__lte=now
    )
    requeued = given_up = 0
    for run in expired.order_by("lease_expires_at", "pk"):
        with transaction.atomic():
            # Claimed with a conditional update: a concurrent sweep takes it or leaves it.
            claimed = RequestActionRun.objects.filter(
                pk=run.pk, state=run.state, lease_expires_at=run.lease_expires_at
            )
            if run.attempts >= MAX_ATTEMPTS:
                message = action_lost_message(action=run.action, attempts=run.attempts)
                given_up += claimed.update(
                    state=State.FAILED, message=message, lease_expires_at=None, finished_at=now
                )
                continue
            lease, message = _lease(now), f"Queued again: attempt {run.attempts} stopped."
            if run.state == State.ACCEPTED:
                extra = float(settings.ACTION_LEASE_SECONDS) * (QUEUE_WAIT_LEASES - 1)
                lease, message = _lease(now, extra=extra), run.message
            if claimed.update(lease_expires_at=lease, message=message, updated_at=now):
                requeued += task_requeue(task_id=run.task_id)
                logger.warning("Queued task %s again: its lease ran out.", run.task_id)
    return {"requeued": requeued, "given_up": given_up}
