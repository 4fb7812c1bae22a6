"""Whether the pools can serve a request, read before anything is allocated.

The sizing rule (DESIGN.md section 4) is defined here once: the allocation services size
sets with it, and staff see the same figures on the request page before they click
Approve or Allocate. The check reads counts without locking; the allocation itself checks
again under the pools' row locks, so a race between the two only ends in a clear failure.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from provisioning.choices import PoolKind, PoolRole, PoolScope, RequestAction
from provisioning.models import Isp, ProvisioningRequest, ProxyPool, Region
from provisioning.selectors.allocations import pool_usage


def enabled_pools(**filters):
    """Return the enabled pools matching ``filters``, oldest first."""
    return (
        ProxyPool.objects.filter(enabled=True, **filters)
        .select_related("region", "isp", "port_profile")
        .prefetch_related("prefixes")
        .order_by("pk")
    )


def production_proxy_pool(*, region: Region, isp: Isp | None) -> ProxyPool | None:
    """Return the ISP's own pool in ``region`` if there is one, else its multi-line pool."""
    pools = enabled_pools(kind=PoolKind.PRODUCTION, role=PoolRole.PROXY, region=region)
    if isp is not None:
        own = pools.filter(isp=isp).first()
        if own is not None:
            return own
    return pools.filter(isp__isnull=True).first()


def addresses_needed(*, pool: ProxyPool, concurrency: int) -> int:
    """Return ``ceil(concurrency / capacity_per_address) + redundancy`` for ``pool``."""
    return math.ceil(concurrency / pool.capacity_per_address) + pool.redundancy


def production_lines(*, regions: list[Region], isps: list[Isp]) -> list[tuple[Region, Isp | None]]:
    """Return the (region, line) pairs a production set needs: each requested ISP in a
    domestic region (one multi-line line when no ISP was requested), one multi-line line
    in an overseas region."""
    lines = []
    for region in sorted(regions, key=lambda r: r.code):
        for isp in sorted(isps, key=lambda i: i.code) if region.domestic and isps else [None]:
            lines.append((region, isp))
    return lines


def line_label(region: Region, isp: Isp | None) -> str:
    return f"{region.code}/{isp.code if isp else 'multi-line'}"


def no_pool_message(region: Region, isp: Isp | None) -> str:
    line = f" for {isp.code}" if isp else ""
    return f"No production pool serves region {region.code}{line}."


@dataclass(frozen=True)
class CapacityLine:
    """One region/line of a request and the pool that would serve it."""

    label: str
    pool: ProxyPool | None
    # Addresses the request takes from the pool; None for a shared pool (it takes all).
    needed: int | None = None
    # Free addresses of the pool now; None for a shared pool.
    free: int | None = None


@dataclass(frozen=True)
class Capacity:
    """Whether the pools can serve an action on a request, and why not."""

    action: str
    lines: tuple[CapacityLine, ...]
    problems: tuple[str, ...]
    # Which problems are short pools (as opposed to regions no pool serves).
    short: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return " ".join(self.problems)


def _free(pool: ProxyPool, usage_cache: dict | None) -> int:
    if usage_cache is None:
        return pool_usage(pool=pool).free
    if pool.pk not in usage_cache:
        usage_cache[pool.pk] = pool_usage(pool=pool).free
    return usage_cache[pool.pk]


def _production_capacity(request: ProvisioningRequest, usage_cache: dict | None) -> Capacity:
    regions, isps = list(request.regions.all()), list(request.isps.all())
    lines, missing, wanted, pools = [], [], defaultdict(int), {}
    for region, isp in production_lines(regions=regions, isps=isps):
        pool = production_proxy_pool(region=region, isp=isp)
        if pool is None:
            missing.append(no_pool_message(region, isp))
            lines.append(CapacityLine(label=line_label(region, isp), pool=None))
            continue
        needed = addresses_needed(pool=pool, concurrency=request.concurrency)
        wanted[pool.pk] += needed
        pools[pool.pk] = pool
        free = _free(pool, usage_cache)
        lines.append(CapacityLine(line_label(region, isp), pool, needed=needed, free=free))
    shortfalls = []
    for pool_pk in sorted(wanted):
        pool, need = pools[pool_pk], wanted[pool_pk]
        have = _free(pool, usage_cache)
        if have < need:
            shortfalls.append(
                f"Pool \u201c{pool.name}\u201d has {have:,} free address{'es' * (have != 1)} "
                f"and this request needs {need:,} (short by {need - have:,})."
            )
    return Capacity(
        action=RequestAction.APPROVE,
        lines=tuple(lines),
        problems=tuple(missing + shortfalls),
        short=bool(shortfalls),
    )


def _test_capacity(request: ProvisioningRequest) -> Capacity:
    lines, missing = [], []
    test_pools = enabled_pools(kind=PoolKind.TEST, role=PoolRole.PROXY)
    for region in sorted(request.regions.all(), key=lambda r: r.code):
        scope = PoolScope.DOMESTIC if region.domestic else PoolScope.OVERSEAS
        pools = list(test_pools.filter(scope=scope))
        if not pools:
            missing.append(f"No {scope.label.lower()} test pool serves region {region.code}.")
        lines.append(CapacityLine(label=region.code, pool=pools[0] if pools else None))
    return Capacity(action=RequestAction.ALLOCATE_TEST, lines=tuple(lines), problems=tuple(missing))


def request_capacity(
    *, request: ProvisioningRequest, action: str, usage_cache: dict | None = None
) -> Capacity | None:
    """Return whether the pools can serve ``action`` on ``request`` now, or None for an
    action that takes no addresses.

    Approve needs, for each region and line, a production pool with free addresses for
    the sizing rule (summed when lines share a pool); Allocate needs a test pool for each
    region (test pools are shared: they never run out). ``usage_cache`` (pool pk -> free
    addresses) lets a page that checks many requests count each pool once.
    """
    if action == RequestAction.APPROVE:
        return _production_capacity(request, usage_cache)
    if action == RequestAction.ALLOCATE_TEST:
        return _test_capacity(request)
    return None


@dataclass(frozen=True)
class LowWater:
    """A pool with a low-water mark and its free addresses now."""

    pool: ProxyPool
    free: int

    @property
    def mark(self) -> int:
        return self.pool.low_water_free_addresses

    @property
    def below(self) -> bool:
        return self.free < self.mark


def pools_low_water() -> list[LowWater]:
    """Return every enabled pool that has a low-water mark, with its free addresses now."""
    pools = (
        ProxyPool.objects.filter(enabled=True, low_water_free_addresses__isnull=False)
        .select_related("region", "isp")
        .prefetch_related("prefixes")
        .order_by("name")
    )
    return [LowWater(pool=pool, free=pool_usage(pool=pool).free) for pool in pools]


def pools_below_low_water() -> list[LowWater]:
    """Return the pools whose free addresses are below their low-water mark, emptiest
    first (relative to the mark)."""
    below = [state for state in pools_low_water() if state.below]
    return sorted(below, key=lambda state: (state.free / state.mark, state.pool.name))
