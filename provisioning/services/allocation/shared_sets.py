"""Give requests the shared test set, and end test sets when they expire or are handed over."""

from datetime import datetime, timedelta

from django.conf import settings

from provisioning.choices import LIVE_ALLOCATION_STATUSES, AllocationKind
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.services.allocation.plans import specs_for_test_set
from provisioning.services.allocation.production import SetChange, shared_endpoints_sync
from provisioning.services.allocation.state import allocation_create


def shared_set_allocate(*, request: ProvisioningRequest, now: datetime) -> Allocation:
    """Allocate the request's shared test set, ending ``TEST_SET_TTL_DAYS`` from ``now``."""
    specs = specs_for_test_set(regions=list(request.regions.all()))
    return allocation_create(
        request=request,
        kind=AllocationKind.TEST,
        specs=specs,
        now=now,
        expires_at=now + timedelta(days=settings.TEST_SET_TTL_DAYS),
    )


def shared_set_sync(
    *, allocation: Allocation, request: ProvisioningRequest, now: datetime
) -> SetChange:
    """Bring a live test set to the request's current regions."""
    return shared_endpoints_sync(
        allocation=allocation,
        wanted=specs_for_test_set(regions=list(request.regions.all())),
        endpoints=allocation.endpoints.filter(live=True),
        now=now,
    )


def shared_set_handover_schedule(
    *, request: ProvisioningRequest, now: datetime
) -> Allocation | None:
    """End the request's live test set ``HANDOVER_GRACE_DAYS`` after production went live."""
    test_set = request.allocations.filter(
        kind=AllocationKind.TEST, status__in=LIVE_ALLOCATION_STATUSES
    ).first()
    if test_set is None:
        return None
    ends = now + timedelta(days=settings.HANDOVER_GRACE_DAYS)
    if test_set.expires_at is None or test_set.expires_at > ends:
        test_set.expires_at = ends
        test_set.last_reminder_days = None
        test_set.save(update_fields=["expires_at", "last_reminder_days", "updated_at"])
    return test_set
