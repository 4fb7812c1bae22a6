"""Reads of live allocations and of pool usage."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from provisioning.choices import (
    LIVE_ALLOCATION_STATUSES,
    OPEN_REQUEST_STATUSES,
    AllocationKind,
    RequestStatus,
)
from provisioning.models import AllocatedEndpoint, ProvisioningRequest, ProxyPool
from provisioning.services.allocation.addresses import int_key, pool_networks, usable_range

# Requests whose sets are served and published: open, and not suspended.
SERVED_REQUEST_STATUSES = tuple(s for s in OPEN_REQUEST_STATUSES if s != RequestStatus.SUSPENDED)


def app_live_endpoints(*, app) -> QuerySet[AllocatedEndpoint]:
    """Return the live endpoints of the app's open request, test and production alike.

    A suspended request's sets keep their addresses but are not served: none is returned.
    """
    return (
        AllocatedEndpoint.objects.filter(
            live=True,
            allocation__status__in=LIVE_ALLOCATION_STATUSES,
            allocation__request__app=app,
            allocation__request__status__in=SERVED_REQUEST_STATUSES,
        )
        .select_related("allocation", "pool", "region", "isp")
        .order_by("allocation__kind", "role", "address_key")
    )


def app_environment(*, app) -> str | None:
    """Return "production" or "test" for the set the app is served from, or None."""
    kinds = set(app_live_endpoints(app=app).values_list("allocation__kind", flat=True))
    if AllocationKind.PRODUCTION in kinds:
        return AllocationKind.PRODUCTION.value
    if AllocationKind.TEST in kinds:
        return AllocationKind.TEST.value
    return None


@dataclass(frozen=True)
class PoolUsage:
    pool: ProxyPool
    size: int
    live: int
    quarantined: int
    excluded: int

    @property
    def free(self) -> int:
        return max(self.size - self.live - self.quarantined - self.excluded, 0)

    @property
    def used_percent(self) -> float:
        return 100.0 * self.live / self.size if self.size else 0.0


def _in_pool(pool: ProxyPool) -> Q:
    ranges = Q(pk__in=[])
    for network in pool_networks(pool):
        first, last = usable_range(network)
        key_range = (int_key(network.version, first), int_key(network.version, last))
        ranges |= Q(address_key__range=key_range)
    return ranges


def pool_usage(*, pool: ProxyPool) -> PoolUsage:
    """Count a pool's live, quarantined, excluded and free addresses without listing them.

    A shared (test or edge) pool is never used up: every allocation gets all of it, and
    its addresses are not quarantined.
    """
    size = sum(last - first + 1 for first, last in map(usable_range, pool_networks(pool)))
    excluded = pool.excluded_addresses.filter(_in_pool(pool)).count()
    if pool.is_shared:
        live = AllocatedEndpoint.objects.filter(pool=pool, live=True)
        count = live.values("address_key").distinct().count()
        return PoolUsage(pool=pool, size=size, live=count, quarantined=0, excluded=excluded)
    held = AllocatedEndpoint.objects.filter(_in_pool(pool), dedicated=True)
    live_keys = held.filter(live=True).values("address_key")
    cutoff = timezone.now() - timedelta(days=pool.quarantine_days)
    quarantined = (
        held.filter(live=False, released_at__gte=cutoff)
        .exclude(address_key__in=live_keys)
        .values("address_key")
        .distinct()
        .count()
    )
    live = live_keys.distinct().count()
    return PoolUsage(pool=pool, size=size, live=live, quarantined=quarantined, excluded=excluded)


def pools_usage() -> list[PoolUsage]:
    """Return the usage of every pool, in the pools' order."""
    pools = ProxyPool.objects.prefetch_related("prefixes").select_related("region", "isp")
    return [pool_usage(pool=pool) for pool in pools]


def app_open_request(*, app_id: str):
    """Return the open request of the app with ``app_id``, or None."""
    return (
        ProvisioningRequest.objects.filter(app__app_id=app_id, status__in=OPEN_REQUEST_STATUSES)
        .select_related("app")
        .first()
    )
