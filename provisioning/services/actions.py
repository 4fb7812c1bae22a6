"""Run staff actions on requests, now or as a queued task."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError

from core.queue import enqueue_on_commit
from provisioning.choices import OPEN_REQUEST_STATUSES, RequestAction, RequestStatus
from provisioning.exceptions import IllegalTransition
from provisioning.models import ProvisioningRequest
from provisioning.permissions import action_permission, actor_may_take
from provisioning.services.lifecycle import (
    live_sets,
    request_allocate_test,
    request_approve,
    request_reject,
    request_resume,
    request_revoke,
    request_suspend,
    transition_check,
)

A = RequestAction
ACTION_TASK = "provisioning.tasks.request_action_task"

PERFORM: dict[str, Callable] = {
    A.ALLOCATE_TEST: lambda request, actor, reason: request_allocate_test(
        request=request, actor=actor
    ),
    A.APPROVE: lambda request, actor, reason: request_approve(request=request, actor=actor),
    A.REJECT: lambda request, actor, reason: request_reject(
        request=request, actor=actor, reason=reason
    ),
    A.SUSPEND: lambda request, actor, reason: request_suspend(
        request=request, actor=actor, reason=reason
    ),
    A.RESUME: lambda request, actor, reason: request_resume(
        request=request, actor=actor, reason=reason
    ),
    A.REVOKE: lambda request, actor, reason: request_revoke(
        request=request, actor=actor, reason=reason
    ),
}

# Whether an action's work is already done: a task run again (a redelivered message, a
# second click) then changes nothing and succeeds.
DONE: dict[str, Callable[[ProvisioningRequest], bool]] = {
    A.ALLOCATE_TEST: lambda request: live_sets(request).test is not None,
    A.APPROVE: lambda request: (
        request.status == RequestStatus.ACTIVE and live_sets(request).production is not None
    ),
    A.REJECT: lambda request: request.status == RequestStatus.REJECTED,
    A.SUSPEND: lambda request: request.status == RequestStatus.SUSPENDED,
    A.RESUME: lambda request: (
        request.status in OPEN_REQUEST_STATUSES
        and request.status != RequestStatus.SUSPENDED
        and request.events.filter(from_status=RequestStatus.SUSPENDED).exists()
    ),
    A.REVOKE: lambda request: request.status == RequestStatus.REVOKED,
}


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
    action = action_parse(action)
    try:
        PERFORM[action](request, actor, reason)
    except IllegalTransition:
        request.refresh_from_db()
        if not DONE[action](request):
            raise
        return {"request_id": request.pk, "status": request.status, "unchanged": True}
    return {"request_id": request.pk, "status": request.status, "unchanged": False}


def request_action_enqueue(
    *, request: ProvisioningRequest, action: str, actor=None, reason: str = ""
) -> str:
    """Queue ``action`` on ``request`` and return the task id.

    An illegal action, or one ``actor`` may not take, is refused here, before anything
    is queued. The task is sent when
    the current transaction commits (or at once outside one); with no broker configured
    it runs in-process, and its result is stored all the same.
    """
    action = action_parse(action)
    if not actor_may_take(actor=actor, action=action):
        raise PermissionDenied(
            f"You may not {action.label.lower()}: it needs the "
            f"\u201c{action_permission(action)}\u201d permission (ops staff)."
        )
    transition_check(request=request, action=action)
    kwargs = {
        "request_id": request.pk,
        "action": action.value,
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "reason": reason,
    }
    return enqueue_on_commit(ACTION_TASK, kwargs=kwargs)
