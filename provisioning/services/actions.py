"""Run staff actions on requests, now or as a queued task."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.queue import enqueue_on_commit
from provisioning.choices import RequestAction
from provisioning.constants import REQUEST_ACTION_TASK
from provisioning.exceptions import IllegalTransition, PoolExhausted, UnknownScope
from provisioning.models import ProvisioningRequest
from provisioning.selectors.capacity import request_capacity
from provisioning.services import lifecycle
from provisioning.services.action_runs import action_run_accept
from provisioning.services.lifecycle import ACTIONS, QUEUED_ACTIONS, transition_check
from provisioning.services.permissions import action_refusal, actor_may_take

ACTION_TASK = REQUEST_ACTION_TASK


def action_parse(action: str) -> RequestAction:
    """Return ``action`` as a ``RequestAction``, or raise a field-keyed error."""
    try:
        return RequestAction(action)
    except ValueError as exc:
        choices = ", ".join(RequestAction.values)
        raise ValidationError(
            {"action": f"Unknown action {action!r}; expected one of {choices}."}
        ) from exc


def request_action_run(
    *, request: ProvisioningRequest, action: str, actor=None, reason: str = ""
) -> dict:
    """Take ``action`` on ``request`` now; an action already done changes nothing.

    Return a JSON-able summary: the request's status, and ``unchanged`` when nothing was
    done because the work was already done.
    """
    spec = ACTIONS[action_parse(action)]
    service = getattr(lifecycle, spec.service)
    try:
        service(request=request, actor=actor, reason=reason)
    except IllegalTransition:
        request.refresh_from_db()
        if not spec.done(request):
            raise
        return {"request_id": request.pk, "status": request.status, "unchanged": True}
    return {"request_id": request.pk, "status": request.status, "unchanged": False}


def capacity_check(*, request: ProvisioningRequest, action: str) -> None:
    """Raise ``PoolExhausted`` or ``UnknownScope`` when the pools can't serve ``action``
    on ``request`` now (see ``request_capacity``): refused before anything is queued."""
    capacity = request_capacity(request=request, action=action)
    if capacity is None or capacity.ok:
        return
    error = PoolExhausted if capacity.short else UnknownScope
    field = "concurrency" if capacity.short else "regions"
    raise error({field: list(capacity.problems)})


def request_action_enqueue(
    *, request: ProvisioningRequest, action: str, actor=None, reason: str = ""
) -> str:
    """Accept ``action`` on ``request`` and return the id of the task that runs it.

    An illegal action, or one ``actor`` may not take, is refused here, before anything
    is written. The action's run (its state for staff) and the task's outbox row are
    written together; the task is sent when the transaction commits, or later by the
    outbox relay while the broker is down. With no broker configured it runs
    in-process, and its result is stored all the same.
    """
    action = action_parse(action)
    if not actor_may_take(actor=actor, action=action):
        raise PermissionDenied(action_refusal(action))
    transition_check(request=request, action=action)
    capacity_check(request=request, action=action)
    kwargs = {
        "request_id": request.pk,
        "action": action.value,
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "reason": reason,
    }
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        action_run_accept(request=request, action=action.value, task_id=task_id, actor=actor)
        enqueue_on_commit(ACTION_TASK, kwargs=kwargs, task_id=task_id)
    return task_id


def request_actions_offered(*, request: ProvisioningRequest, actor) -> list[RequestAction]:
    """Return the queued actions ``request`` may take now that ``actor`` may start."""
    offered = []
    for action in QUEUED_ACTIONS:
        try:
            transition_check(request=request, action=action)
        except IllegalTransition:
            continue
        if actor_may_take(actor=actor, action=action):
            offered.append(action)
    return offered
