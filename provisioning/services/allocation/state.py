"""Create allocations and move them between states.

This module is the one place that writes ``AllocatedEndpoint.live``: an endpoint is live
while its allocation is live (pending or active) and the endpoint itself has not been
released by a resize.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError

from accounts.models import App
from accounts.services.sdk_generations import sdk_config_changed
from provisioning.addresses import address_sort_key
from provisioning.choices import LIVE_ALLOCATION_STATUSES, AllocationStatus
from provisioning.exceptions import AllocationConflict
from provisioning.models import (
    AllocatedEndpoint,
    Allocation,
    Isp,
    ProvisioningRequest,
    ProxyPool,
    Region,
)


@dataclass(frozen=True)
class EndpointSpec:
    """An address to put in an allocation, and where it comes from."""

    pool: ProxyPool
    address: str
    role: str
    region: Region | None
    isp: Isp | None
    dedicated: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.address, self.role)


def ports_snapshot(pool: ProxyPool) -> list[dict]:
    """Return the pool's port profile as the JSON an endpoint keeps."""
    return [
        {
            "protocol": port_range.protocol,
            "port_start": port_range.port_start,
            "port_end": port_range.port_end,
            "purpose": port_range.purpose,
        }
        for port_range in pool.port_profile.ranges.all()
    ]


def _endpoint_build(
    *, allocation: Allocation, spec: EndpointSpec, ports: list
) -> AllocatedEndpoint:
    return AllocatedEndpoint(
        allocation=allocation,
        pool=spec.pool,
        address=spec.address,
        address_key=address_sort_key(spec.address),
        role=spec.role,
        region=spec.region,
        isp=spec.isp,
        ports=ports,
        dedicated=spec.dedicated,
        live=allocation.is_live,
    )


def endpoints_add(
    *, allocation: Allocation, specs: list[EndpointSpec], revive: bool = True
) -> list[AllocatedEndpoint]:
    """Add ``specs`` to ``allocation``, reviving rows of addresses it held before.

    The database refuses an address held by another live allocation; that surfaces as
    ``AllocationConflict`` and the caller's transaction rolls back whole.
    """
    if not specs:
        return []
    ports_by_pool: dict[int, list] = {}
    previous = {}
    if revive:
        released = allocation.endpoints.filter(
            live=False, address__in={spec.address for spec in specs}
        )
        previous = {(endpoint.address, endpoint.role): endpoint for endpoint in released}
    created, revived = [], []
    for spec in specs:
        if spec.pool.pk not in ports_by_pool:
            ports_by_pool[spec.pool.pk] = ports_snapshot(spec.pool)
        ports = ports_by_pool[spec.pool.pk]
        endpoint = _endpoint_build(allocation=allocation, spec=spec, ports=ports)
        old = previous.get(spec.key)
        if old is None:
            created.append(endpoint)
            continue
        endpoint.pk, endpoint.released_at = old.pk, None
        revived.append(endpoint)
    fields = ["pool", "region", "isp", "ports", "dedicated", "live", "released_at"]
    try:
        AllocatedEndpoint.objects.bulk_create(created)
        if revived:
            AllocatedEndpoint.objects.bulk_update(revived, fields)
    except IntegrityError as exc:
        # The caller's transaction is spoilt and rolls back as this error leaves it.
        raise AllocationConflict(
            "Another allocation took one of these addresses at the same moment; "
            "nothing was allocated. Run the allocation again."
        ) from exc
    # Bulk writes send no signals: the SDK endpoint learns of them here.
    sdk_config_changed(app_ids=_app_ids(pk=allocation.pk))
    return created + revived


def _app_ids(**endpoint_filter) -> list[str]:
    apps = App.objects.filter(
        **{f"requests__allocations__{k}": v for k, v in endpoint_filter.items()}
    )
    return list(apps.values_list("app_id", flat=True).distinct())


def endpoints_release(*, endpoints, now: datetime) -> int:
    """Release some endpoints of a live allocation (a resize); their quarantine starts."""
    released = endpoints.filter(live=True)
    app_ids = _app_ids(pk__in=released.values("allocation_id"))
    count = released.update(live=False, released_at=now)
    sdk_config_changed(app_ids=app_ids)
    return count


def allocation_create(
    *,
    request: ProvisioningRequest,
    kind: str,
    specs: list[EndpointSpec],
    now: datetime,
    expires_at: datetime | None = None,
) -> Allocation:
    """Create a live (active) allocation holding ``specs``."""
    allocation = Allocation(
        request=request,
        kind=kind,
        status=AllocationStatus.ACTIVE,
        activated_at=now,
        expires_at=expires_at,
    )
    # The request's row lock, held by the caller, already serializes its allocations; the
    # database constraints stay the guarantee, so skip their extra queries here.
    allocation.full_clean(validate_constraints=False)
    allocation.save()
    endpoints_add(allocation=allocation, specs=specs, revive=False)
    return allocation


def allocation_status_set(*, allocation: Allocation, status: str, now: datetime) -> Allocation:
    """Move ``allocation`` to ``status``, keeping its endpoints' ``live`` flag in step."""
    allocation.status = status
    update = ["status", "updated_at"]
    if status == AllocationStatus.ACTIVE and allocation.activated_at is None:
        allocation.activated_at = now
        update.append("activated_at")
    if status not in LIVE_ALLOCATION_STATUSES and allocation.released_at is None:
        allocation.released_at = now
        update.append("released_at")
    allocation.full_clean()
    allocation.save(update_fields=update)
    if status not in LIVE_ALLOCATION_STATUSES:
        endpoints_release(endpoints=allocation.endpoints.all(), now=now)
    return allocation


def allocation_failure_record(*, request: ProvisioningRequest, kind: str, error: str) -> Allocation:
    """Record a failed allocation attempt, with its error, for staff to see.

    Call it outside the transaction that failed, so the record survives its rollback.
    """
    allocation = Allocation(
        request=request,
        kind=kind,
        status=AllocationStatus.FAILED,
        error=error,
    )
    allocation.full_clean()
    allocation.save()
    return allocation
