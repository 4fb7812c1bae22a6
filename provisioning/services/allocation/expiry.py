"""End allocations: test sets that expire or are handed over, and releases by staff."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from provisioning.choices import LIVE_ALLOCATION_STATUSES, AllocationKind, AllocationStatus
from provisioning.models import Allocation
from provisioning.services.allocation.state import allocation_status_set
from provisioning.services.events import request_event_record
from provisioning.services.publishing import allocations_changed


def _end(*, allocation: Allocation, status: str, now: datetime, actor=None, reason: str) -> None:
    request = allocation.request
    allocation_status_set(allocation=allocation, status=status, now=now)
    request_event_record(
        request=request,
        from_status=request.status,
        to_status=request.status,
        actor=actor,
        reason=reason,
    )
    allocations_changed(app=request.app)


def _claim(pk: int, **filters) -> Allocation | None:
    """Lock a live allocation, or return None when another worker already ended it."""
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("request__app")
        .filter(pk=pk, status__in=LIVE_ALLOCATION_STATUSES, **filters)
        .first()
    )


@transaction.atomic
def _test_set_expire(*, pk: int, now: datetime) -> bool:
    allocation = _claim(pk, expires_at__lte=now)
    if allocation is None:
        return False
    handed_over = allocation.request.allocations.filter(
        kind=AllocationKind.PRODUCTION, status__in=LIVE_ALLOCATION_STATUSES
    ).exists()
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
    """Release a live allocation now; return False when it was no longer live."""
    claimed = _claim(allocation.pk)
    if claimed is None:
        return False
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
