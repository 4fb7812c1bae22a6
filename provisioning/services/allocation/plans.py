"""Decide what an allocation holds: the sizing rule (DESIGN.md section 4) and the test set."""

from dataclasses import dataclass

from provisioning.choices import PoolKind, PoolRole, PoolScope
from provisioning.exceptions import UnknownScope
from provisioning.models import Isp, ProxyPool, Region
from provisioning.selectors.capacity import (
    addresses_needed,
    enabled_pools,
    line_label,
    no_pool_message,
    production_lines,
    production_proxy_pool,
)
from provisioning.services.allocation.addresses import shared_pool_addresses
from provisioning.services.allocation.state import EndpointSpec


@dataclass(frozen=True)
class ProxyGroup:
    """Dedicated proxy addresses for one region and line (an ISP, or multi-line)."""

    region: Region
    isp: Isp | None
    pool: ProxyPool
    count: int

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.region.pk, self.isp.pk if self.isp else None)

    @property
    def label(self) -> str:
        return line_label(self.region, self.isp)


def proxy_groups(*, regions: list[Region], isps: list[Isp], concurrency: int) -> list[ProxyGroup]:
    """Size the dedicated proxy addresses of a production set.

    A domestic region gets one group per requested ISP (one multi-line group when no ISP
    was requested); an overseas region gets one multi-line group. Each group holds
    ``ceil(concurrency / capacity_per_address) + redundancy`` addresses of its pool.
    """
    groups, missing = [], []
    for region, isp in production_lines(regions=regions, isps=isps):
        pool = production_proxy_pool(region=region, isp=isp)
        if pool is None:
            missing.append(no_pool_message(region, isp))
            continue
        count = addresses_needed(pool=pool, concurrency=concurrency)
        groups.append(ProxyGroup(region=region, isp=isp, pool=pool, count=count))
    if missing:
        raise UnknownScope({"regions": missing})
    return groups


def _shared_specs(pools, *, region: Region | None, specs: dict) -> None:
    for pool in pools:
        for address in shared_pool_addresses(pool=pool):
            spec = EndpointSpec(
                pool=pool,
                address=str(address),
                role=pool.role,
                region=region,
                isp=None,
                dedicated=False,
            )
            specs.setdefault(spec.key, spec)


def edge_specs(*, regions: list[Region]) -> list[EndpointSpec]:
    """Return the production edge addresses of ``regions`` (shared: all of each pool).

    A region without its own edge pool uses the production edge pools of no region.
    """
    specs: dict = {}
    edge_pools = enabled_pools(kind=PoolKind.PRODUCTION, role=PoolRole.EDGE)
    for region in sorted(regions, key=lambda r: r.code):
        pools = list(edge_pools.filter(region=region)) or list(
            edge_pools.filter(region__isnull=True)
        )
        _shared_specs(pools, region=region, specs=specs)
    return list(specs.values())


def specs_for_test_set(*, regions: list[Region]) -> list[EndpointSpec]:
    """Return the shared test set of ``regions``: the domestic or overseas test pool of
    each region, plus the test edge nodes."""
    specs: dict = {}
    missing = []
    test_pools = enabled_pools(kind=PoolKind.TEST)
    for region in sorted(regions, key=lambda r: r.code):
        scope = PoolScope.DOMESTIC if region.domestic else PoolScope.OVERSEAS
        pools = list(test_pools.filter(role=PoolRole.PROXY, scope=scope))
        if not pools:
            missing.append(f"No {scope.label.lower()} test pool serves region {region.code}.")
        _shared_specs(pools, region=region, specs=specs)
    if missing:
        raise UnknownScope({"regions": missing})
    _shared_specs(test_pools.filter(role=PoolRole.EDGE), region=None, specs=specs)
    return list(specs.values())
