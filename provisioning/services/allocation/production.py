"""Carve dedicated production sets out of the pools, and resize them."""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings

from provisioning.choices import AllocationKind, PoolRole
from provisioning.exceptions import PoolExhausted
from provisioning.models import Allocation, ProvisioningRequest, ProxyPool
from provisioning.services.allocation.addresses import pool_free_addresses
from provisioning.services.allocation.plans import ProxyGroup, edge_specs, proxy_groups
from provisioning.services.allocation.state import (
    EndpointSpec,
    allocation_create,
    endpoints_add,
    endpoints_release,
)

# Longest wait at the pause point, so a forgotten pause file never blocks a worker forever.
PAUSE_MAX_SECONDS = 120
PAUSE_POLL_SECONDS = 0.1


@dataclass
class SetChange:
    """What a resize did: the addresses added and released."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def allocation_pause_point() -> None:
    """Wait while the file named by ``ALLOCATION_PAUSE_FILE`` exists.

    A fault-injection hook: addresses are picked but not yet written, so a test can kill
    the worker at a known point. Writes ``<file>.reached`` to say it got there.
    """
    name = getattr(settings, "ALLOCATION_PAUSE_FILE", "")
    if not name or not Path(name).exists():
        return
    Path(f"{name}.reached").touch()
    deadline = time.monotonic() + PAUSE_MAX_SECONDS
    while Path(name).exists() and time.monotonic() < deadline:
        time.sleep(PAUSE_POLL_SECONDS)


def _pools_lock(pools) -> None:
    """Lock the pools' rows in primary-key order, so concurrent allocations never deadlock."""
    list(ProxyPool.objects.select_for_update().filter(pk__in=[p.pk for p in pools]).order_by("pk"))


def _proxy_specs(*, needs: list[tuple[ProxyGroup, int]], now: datetime) -> list[EndpointSpec]:
    """Pick ``count`` free addresses for each group, all or nothing."""
    needs = [(group, count) for group, count in needs if count > 0]
    per_pool: dict[int, int] = defaultdict(int)
    pools = {}
    for group, count in needs:
        per_pool[group.pool.pk] += count
        pools[group.pool.pk] = group.pool
    _pools_lock(pools.values())
    free, shortfalls = {}, []
    for pool_pk in sorted(per_pool):
        pool, wanted = pools[pool_pk], per_pool[pool_pk]
        free[pool_pk] = pool_free_addresses(pool=pool, count=wanted, now=now)
        if len(free[pool_pk]) < wanted:
            have = len(free[pool_pk])
            shortfalls.append(
                f"Pool \u201c{pool.name}\u201d has {have} free address{'es' * (have != 1)} "
                f"and this allocation needs {wanted} (short by {wanted - have})."
            )
    if shortfalls:
        raise PoolExhausted({"concurrency": shortfalls})
    specs = []
    for group, count in needs:
        taken, free[group.pool.pk] = free[group.pool.pk][:count], free[group.pool.pk][count:]
        specs.extend(
            EndpointSpec(
                pool=group.pool,
                address=str(address),
                role=PoolRole.PROXY,
                region=group.region,
                isp=group.isp,
                dedicated=True,
            )
            for address in taken
        )
    return specs


def production_set_allocate(*, request: ProvisioningRequest, now: datetime) -> Allocation:
    """Allocate the request's production set, all or nothing, inside the caller's
    transaction."""
    regions, isps = list(request.regions.all()), list(request.isps.all())
    groups = proxy_groups(regions=regions, isps=isps, concurrency=request.concurrency)
    specs = _proxy_specs(needs=[(group, group.count) for group in groups], now=now)
    specs += edge_specs(regions=regions)
    allocation_pause_point()
    return allocation_create(request=request, kind=AllocationKind.PRODUCTION, specs=specs, now=now)


def shared_endpoints_sync(
    *, allocation: Allocation, wanted: list[EndpointSpec], endpoints, now: datetime
) -> SetChange:
    """Make the shared ``endpoints`` of ``allocation`` exactly ``wanted``."""
    current = {(e.address, e.role): e for e in endpoints}
    wanted_keys = {spec.key for spec in wanted}
    gone = [endpoint for key, endpoint in current.items() if key not in wanted_keys]
    new = [spec for spec in wanted if spec.key not in current]
    endpoints_release(endpoints=allocation.endpoints.filter(pk__in=[e.pk for e in gone]), now=now)
    endpoints_add(allocation=allocation, specs=new)
    return SetChange(added=[spec.address for spec in new], removed=[e.address for e in gone])


def production_set_resize(
    *, allocation: Allocation, request: ProvisioningRequest, now: datetime
) -> SetChange:
    """Bring a live production set to the request's current sizing.

    Each region/line keeps its lowest addresses up to the new count; surplus ones are
    released (into quarantine) and missing ones are picked. Kept addresses never change.
    """
    regions, isps = list(request.regions.all()), list(request.isps.all())
    groups = proxy_groups(regions=regions, isps=isps, concurrency=request.concurrency)
    live = allocation.endpoints.filter(live=True).order_by("address_key")
    held = defaultdict(list)
    for endpoint in live.filter(role=PoolRole.PROXY):
        held[(endpoint.region_id, endpoint.isp_id)].append(endpoint)
    surplus, needs = [], []
    for group in groups:
        have = held.pop(group.key, [])
        surplus += have[group.count :]
        needs.append((group, group.count - len(have)))
    for rest in held.values():
        surplus += rest
    added = _proxy_specs(needs=needs, now=now)
    endpoints_release(
        endpoints=allocation.endpoints.filter(pk__in=[e.pk for e in surplus]), now=now
    )
    endpoints_add(allocation=allocation, specs=added)
    change = shared_endpoints_sync(
        allocation=allocation,
        wanted=edge_specs(regions=regions),
        endpoints=live.filter(role=PoolRole.EDGE),
        now=now,
    )
    change.added[:0] = [spec.address for spec in added]
    change.removed[:0] = [endpoint.address for endpoint in surplus]
    return change
