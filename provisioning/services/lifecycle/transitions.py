"""Move proxy requests through their lifecycle; every transition is checked and audited.

submitted -> testing (test set) -> production_pending -> active (production set), and
rejected, suspended (and back), revoked. The allocation work happens in the same
transaction as the state change: a failure leaves the request as it was, and a failed
allocation is recorded afterwards for staff to see.
"""

from django.db import transaction
from django.utils import timezone

from provisioning.choices import (
    AllocationKind,
    AllocationStatus,
    RequestAction,
    RequestStatus,
)
from provisioning.exceptions import IllegalTransition, ProvisioningError
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.services.allocation import (
    allocation_failure_record,
    allocation_status_set,
    production_set_allocate,
    shared_set_allocate,
    shared_set_handover_schedule,
)
from provisioning.services.events import request_event_record
from provisioning.services.lifecycle.actions import ACTIONS, live_sets, transition_check
from provisioning.services.lifecycle.change_state import change_cancel_open
from provisioning.services.notifications import allocation_notice_queue
from provisioning.services.publishing import allocations_changed
from provisioning.services.webhook_events import request_status_changed_emit

S = RequestStatus


def request_lock(request: ProvisioningRequest) -> ProvisioningRequest:
    """Lock the request's row for the rest of the transaction and return it fresh."""
    return (
        ProvisioningRequest.objects.select_for_update(of=("self",))
        .select_related("app")
        .get(pk=request.pk)
    )


def _move(*, request, to_status: str, actor, reason: str, now) -> None:
    """Change the request's status and audit it."""
    from_status = request.status
    request.status = to_status
    request.status_changed_at = now
    # Only the status changed: check it, and leave the rest to the database constraints.
    others = [f.name for f in request._meta.fields if f.name != "status"]
    request.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    request.save(update_fields=["status", "status_changed_at", "updated_at"])
    request_event_record(
        request=request, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    request_status_changed_emit(
        request=request, from_status=from_status, to_status=to_status, reason=reason, at=now
    )


def caller_sync(request: ProvisioningRequest, locked: ProvisioningRequest) -> None:
    request.status = locked.status
    request.status_changed_at = locked.status_changed_at
    request.concurrency = locked.concurrency


def _error_text(exc: ProvisioningError) -> str:
    return " ".join(exc.messages)


def allocation_attempt(kind: str, request: ProvisioningRequest, work):
    """Run ``work`` in a transaction; record a failed allocation of ``kind`` if it fails."""
    try:
        with transaction.atomic():
            return work()
    except IllegalTransition:
        raise
    except ProvisioningError as exc:
        allocation_failure_record(request=request, kind=kind, error=_error_text(exc))
        raise


def _with_reason(text: str, reason: str) -> str:
    return f"{text} Reason: {reason}" if reason else text


def _labelled(label: str, reason: str) -> str:
    return f"{label}: {reason}" if reason else f"{label}."


def request_allocate_test(
    *, request: ProvisioningRequest, actor=None, reason: str = ""
) -> Allocation:
    """Give the request the shared test set of its regions (submitted -> testing)."""

    def work():
        locked = request_lock(request)
        transition_check(request=locked, action=RequestAction.ALLOCATE_TEST)
        now = timezone.now()
        allocation = shared_set_allocate(request=locked, now=now)
        text = f"Test set #{allocation.pk} live until {allocation.expires_at:%Y-%m-%d %H:%M} UTC."
        text = _with_reason(text, reason)
        _move(request=locked, to_status=S.TESTING, actor=actor, reason=text, now=now)
        allocations_changed(app=locked.app)
        allocation_notice_queue(allocation=allocation, notice="live")
        caller_sync(request, locked)
        return allocation

    return allocation_attempt(AllocationKind.TEST, request, work)


def request_approve(*, request: ProvisioningRequest, actor=None, reason: str = "") -> Allocation:
    """Approve the request and allocate its production set (-> production_pending ->
    active); the test set is handed over after ``HANDOVER_GRACE_DAYS``."""

    def work():
        locked = request_lock(request)
        transition_check(request=locked, action=RequestAction.APPROVE)
        now = timezone.now()
        approving = locked.status != S.PRODUCTION_PENDING
        if approving:
            _move(
                request=locked,
                to_status=S.PRODUCTION_PENDING,
                actor=actor,
                reason=_labelled("Approved for production", reason),
                now=now,
            )
        allocation = production_set_allocate(request=locked, now=now)
        count = allocation.endpoints.count()
        text = f"Production set #{allocation.pk} live: {count} addresses."
        text = text if approving else _with_reason(text, reason)
        _move(request=locked, to_status=S.ACTIVE, actor=actor, reason=text, now=now)
        shared_set_handover_schedule(request=locked, now=now)
        allocations_changed(app=locked.app)
        allocation_notice_queue(allocation=allocation, notice="live")
        caller_sync(request, locked)
        return allocation

    return allocation_attempt(AllocationKind.PRODUCTION, request, work)


def _release_all(*, request: ProvisioningRequest, now) -> int:
    sets = request.allocations.live()
    count = 0
    for allocation in sets:
        allocation_status_set(allocation=allocation, status=AllocationStatus.RELEASED, now=now)
        count += 1
    return count


def _closing(*, request, action: str, to_status: str, actor, reason: str, label: str):
    with transaction.atomic():
        locked = request_lock(request)
        transition_check(request=locked, action=action)
        now = timezone.now()
        change_cancel_open(request=locked, actor=actor, closed_as=S(to_status).label.lower())
        released = _release_all(request=locked, now=now)
        text = _labelled(label, reason)
        _move(request=locked, to_status=to_status, actor=actor, reason=text, now=now)
        if released:
            allocations_changed(app=locked.app)
        caller_sync(request, locked)
    return request


def request_reject(*, request: ProvisioningRequest, actor=None, reason: str = ""):
    """Refuse the request; a test set it holds is released."""
    return _closing(
        request=request,
        action=RequestAction.REJECT,
        to_status=S.REJECTED,
        actor=actor,
        reason=reason,
        label="Rejected",
    )


def request_revoke(*, request: ProvisioningRequest, actor=None, reason: str = ""):
    """Turn the proxy service off for good; every set the request holds is released."""
    return _closing(
        request=request,
        action=RequestAction.REVOKE,
        to_status=S.REVOKED,
        actor=actor,
        reason=reason,
        label="Revoked",
    )


@transaction.atomic
def request_suspend(*, request: ProvisioningRequest, actor=None, reason: str = ""):
    """Pause the service: the sets keep their addresses but are not served or published."""
    locked = request_lock(request)
    transition_check(request=locked, action=RequestAction.SUSPEND)
    text = _labelled("Suspended", reason)
    _move(request=locked, to_status=S.SUSPENDED, actor=actor, reason=text, now=timezone.now())
    allocations_changed(app=locked.app)
    caller_sync(request, locked)
    return request


def _status_before_suspension(request: ProvisioningRequest) -> str:
    event = request.events.filter(to_status=S.SUSPENDED).order_by("-created_at", "-pk").first()
    if event is not None and event.from_status in ACTIONS[RequestAction.SUSPEND].allowed_from:
        return event.from_status
    return S.ACTIVE if live_sets(request).production else S.TESTING


@transaction.atomic
def request_resume(*, request: ProvisioningRequest, actor=None, reason: str = ""):
    """Serve a suspended request again, in the state it was suspended from."""
    locked = request_lock(request)
    transition_check(request=locked, action=RequestAction.RESUME)
    text = _labelled("Resumed", reason)
    to_status = _status_before_suspension(locked)
    _move(request=locked, to_status=to_status, actor=actor, reason=text, now=timezone.now())
    allocations_changed(app=locked.app)
    caller_sync(request, locked)
    return request
