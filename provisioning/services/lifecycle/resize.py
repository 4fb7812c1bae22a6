"""Change the concurrency, regions or ISPs of a request, and its live sets to match."""

from dataclasses import dataclass

from django.utils import timezone

from provisioning.choices import AllocationKind, RequestStatus
from provisioning.exceptions import UnknownScope
from provisioning.models import Allocation, Isp, ProvisioningRequest, Region
from provisioning.services.allocation import SetChange, production_set_resize, shared_set_sync
from provisioning.services.events import request_event_record
from provisioning.services.lifecycle.actions import RESIZE, live_sets, transition_check
from provisioning.services.lifecycle.transitions import (
    allocation_attempt,
    caller_sync,
    request_lock,
)
from provisioning.services.notifications import allocation_notice_queue
from provisioning.services.publishing import allocations_changed
from provisioning.services.requests import request_scope_check


def scope_resolve(model, values, field: str) -> list:
    """Return ``values`` (objects or codes) as objects; unknown codes are a field error."""
    objects = [value for value in values if isinstance(value, model)]
    codes = [value for value in values if not isinstance(value, model)]
    found = {obj.code: obj for obj in model.objects.filter(code__in=codes)}
    unknown = [str(code) for code in codes if code not in found]
    if unknown:
        raise UnknownScope({field: f"Unknown {field[:-1]} code: {', '.join(unknown)}."})
    return objects + [found[code] for code in codes]


def _scope_label(request: ProvisioningRequest) -> str:
    regions = ",".join(sorted(r.code for r in request.regions.all())) or "-"
    isps = ",".join(sorted(i.code for i in request.isps.all())) or "multi-line"
    return f"{request.concurrency} users in {regions} ({isps})"


def _resize_sets(request: ProvisioningRequest, now) -> tuple[object, SetChange]:
    sets = live_sets(request)
    if request.status == RequestStatus.ACTIVE and sets.production is not None:
        change = production_set_resize(allocation=sets.production, request=request, now=now)
        return sets.production, change
    if request.status == RequestStatus.TESTING and sets.test is not None:
        return sets.test, shared_set_sync(allocation=sets.test, request=request, now=now)
    return None, SetChange()


def _resize_record(
    *, request: ProvisioningRequest, before: str, change: SetChange, actor, reason, about=None
) -> bool:
    """Audit a resize that changed the sizing or the live set; return whether it did."""
    after = _scope_label(request)
    if before == after and not change:
        return False
    text = (
        f"Resized from {before} to {after}; "
        f"{len(change.added)} addresses added, {len(change.removed)} released."
    )
    request_event_record(
        request=request,
        from_status=request.status,
        to_status=request.status,
        actor=actor,
        reason=f"{text} Reason: {reason}" if reason else text,
        change=about,
    )
    return True


@dataclass
class ResizeOutcome:
    allocation: Allocation | None
    change: SetChange
    recorded: bool


def resize_locked(
    *,
    locked: ProvisioningRequest,
    concurrency: int | None,
    regions: list | None,
    isps: list | None,
    actor=None,
    reason: str = "",
    about=None,
) -> ResizeOutcome:
    """Resize ``locked`` (a request whose row the caller's transaction holds locked).

    The new addresses are picked before any is released, so a pool short of room fails
    the whole resize and the live set stays as it was (the caller's transaction rolls
    back). Released addresses go into their pool's quarantine.
    """
    transition_check(request=locked, action=RESIZE)
    before = _scope_label(locked)
    if concurrency is not None:
        locked.concurrency = concurrency
        locked.full_clean(exclude=["app"])
    scope_regions = regions if regions is not None else list(locked.regions.all())
    scope_isps = isps if isps is not None else list(locked.isps.all())
    request_scope_check(regions=scope_regions, isps=scope_isps)
    locked.save(update_fields=["concurrency", "updated_at"])
    locked.regions.set(scope_regions)
    locked.isps.set(scope_isps)
    allocation, change = _resize_sets(locked, timezone.now())
    recorded = _resize_record(
        request=locked, before=before, change=change, actor=actor, reason=reason, about=about
    )
    if change:
        allocations_changed(app=locked.app)
        allocation_notice_queue(
            allocation=allocation, notice="resized", added=change.added, removed=change.removed
        )
    return ResizeOutcome(allocation=allocation, change=change, recorded=recorded)


def request_resize(
    *,
    request: ProvisioningRequest,
    concurrency: int | None = None,
    regions=None,
    isps=None,
    actor=None,
    reason: str = "",
) -> SetChange:
    """Change the request's sizing; a live set gains or loses the difference.

    Addresses that stay are never changed; released ones go into quarantine.
    """
    new_regions = scope_resolve(Region, regions, "regions") if regions is not None else None
    new_isps = scope_resolve(Isp, isps, "isps") if isps is not None else None

    def work():
        locked = request_lock(request)
        outcome = resize_locked(
            locked=locked,
            concurrency=concurrency,
            regions=new_regions,
            isps=new_isps,
            actor=actor,
            reason=reason,
        )
        caller_sync(request, locked)
        return outcome.change

    kind = (
        AllocationKind.PRODUCTION if request.status == RequestStatus.ACTIVE else AllocationKind.TEST
    )
    return allocation_attempt(kind, request, work)
