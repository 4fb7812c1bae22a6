"""End allocations: test sets that expire or are handed over, and releases by staff.

A request whose last live set of a kind ends moves to the state that describes it, so
no path leaves a request "testing" or "active" with nothing to serve:

- testing, its test set ends (expiry or release) -> submitted: open, nothing allocated,
  waiting for staff, who may allocate another test set, approve, reject or revoke;
- active, its production set is released -> production_pending: approved, waiting for a
  production set, which approving again allocates (a live test set keeps serving).

A suspended request keeps its sets: releasing one is refused until it is resumed or
revoked, as resuming restores the state it was suspended from.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from provisioning.choices import (
    LIVE_ALLOCATION_STATUSES,
    AllocationKind,
    AllocationStatus,
    RequestStatus,
)
from provisioning.exceptions import IllegalTransition
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.services.allocation.state import allocation_status_set
from provisioning.services.events import request_event_record
from provisioning.services.publishing import allocations_changed
from provisioning.services.webhook_events import request_status_changed_emit
from rules.selectors import production_pending_until

# The request state that describes a request once the live set of a kind has ended.
STATUS_WITHOUT_SET = {
    (RequestStatus.TESTING, AllocationKind.TEST): RequestStatus.SUBMITTED,
    (RequestStatus.ACTIVE, AllocationKind.PRODUCTION): RequestStatus.PRODUCTION_PENDING,
}
NEXT_STEP = {
    RequestStatus.SUBMITTED: "it waits for staff: a new test set, approval or rejection",
    RequestStatus.PRODUCTION_PENDING: "approve it again to allocate a new production set",
}


def _status_after(allocation: Allocation) -> str:
    """Return the request's state once ``allocation`` (still live) has ended."""
    request = allocation.request
    others_live = request.allocations.filter(
        kind=allocation.kind, status__in=LIVE_ALLOCATION_STATUSES
    ).exclude(pk=allocation.pk)
    if others_live.exists():
        return request.status
    return STATUS_WITHOUT_SET.get((request.status, allocation.kind), request.status)


def _end(*, allocation: Allocation, status: str, now: datetime, actor=None, reason: str) -> None:
    request = allocation.request
    from_status, to_status = request.status, _status_after(allocation)
    allocation_status_set(allocation=allocation, status=status, now=now)
    if to_status != from_status:
        request.status = to_status
        request.status_changed_at = now
        request.save(update_fields=["status", "status_changed_at", "updated_at"])
        reason = f"{reason} The request is {request.get_status_display().lower()}: "
        reason += f"{NEXT_STEP[to_status]}."
        request_status_changed_emit(
            request=request, from_status=from_status, to_status=to_status, reason=reason, at=now
        )
    request_event_record(
        request=request, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    allocations_changed(app=request.app)


def _claim(pk: int, **filters) -> Allocation | None:
    """Lock a live allocation and its request, or return None when another worker already
    ended it. The request is locked too: its state may change with the allocation's."""
    request_id = Allocation.objects.filter(pk=pk).values_list("request_id", flat=True).first()
    # The request first, as lifecycle transitions lock it, so the two never deadlock.
    list(ProvisioningRequest.objects.select_for_update().filter(pk=request_id).values("pk"))
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("request__app")
        .filter(pk=pk, status__in=LIVE_ALLOCATION_STATUSES, **filters)
        .first()
    )


def _kept_for_production(*, allocation: Allocation, now: datetime) -> bool:
    """Keep a handed-over test set until the production set reaches SDKs (make before
    break): move its end to that date and say so on the timeline."""
    request = allocation.request
    until = production_pending_until(app=request.app, now=now)
    if until is None:
        return False
    Allocation.objects.filter(pk=allocation.pk).update(expires_at=until, updated_at=now)
    request_event_record(
        request=request,
        from_status=request.status,
        to_status=request.status,
        reason=f"Test set #{allocation.pk} kept until {until:%Y-%m-%d %H:%M} UTC, when the "
        "production set reaches SDKs.",
    )
    return True


@transaction.atomic
def _test_set_expire(*, pk: int, now: datetime) -> bool:
    allocation = _claim(pk, expires_at__lte=now)
    if allocation is None:
        return False
    handed_over = allocation.request.allocations.filter(
        kind=AllocationKind.PRODUCTION, status__in=LIVE_ALLOCATION_STATUSES
    ).exists()
    if handed_over and _kept_for_production(allocation=allocation, now=now):
        return False
    if handed_over:
        status, reason = AllocationStatus.RELEASED, "Test set released: production took over."
    else:
        status, reason = AllocationStatus.EXPIRED, "Test set expired."
    _end(allocation=allocation, status=status, now=now, reason=f"{reason} (#{allocation.pk})")
    return True


def allocations_expire(*, now: datetime | None = None) -> int:
    """End the test sets whose time is up; return how many were ended.

    Each one is claimed under a row lock, so concurrent runs end each set once.
    """
    now = now or timezone.now()
    due = Allocation.objects.filter(
        kind=AllocationKind.TEST, status__in=LIVE_ALLOCATION_STATUSES, expires_at__lte=now
    ).values_list("pk", flat=True)
    return sum(_test_set_expire(pk=pk, now=now) for pk in list(due))


@transaction.atomic
def allocation_release(*, allocation: Allocation, actor=None, reason: str = "") -> bool:
    """Release a live allocation now; return False when it was no longer live.

    Raise ``IllegalTransition`` for a set of a suspended request (see the module's note).
    """
    claimed = _claim(allocation.pk)
    if claimed is None:
        return False
    request = claimed.request
    if request.status == RequestStatus.SUSPENDED:
        raise IllegalTransition(
            {
                "status": (
                    f"Request #{request.pk} is suspended; resume or revoke it before "
                    f"releasing its {claimed.get_kind_display().lower()} set #{claimed.pk}."
                )
            },
            code="illegal_transition",
        )
    now = timezone.now()
    label = f"{claimed.get_kind_display()} set #{claimed.pk} released"
    _end(
        allocation=claimed,
        status=AllocationStatus.RELEASED,
        now=now,
        actor=actor,
        reason=f"{label}: {reason}" if reason else f"{label}.",
    )
    allocation.refresh_from_db()
    return True
