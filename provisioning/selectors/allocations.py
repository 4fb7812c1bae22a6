"""Reads of live allocations and of pool usage."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from provisioning.addresses import address_sort_key, int_key, pool_networks, usable_range
from provisioning.choices import LIVE_ALLOCATION_STATUSES, OPEN_REQUEST_STATUSES
from provisioning.constants import MAX_SHARED_POOL_ADDRESSES
from provisioning.models import AllocatedEndpoint, ProvisioningRequest, ProxyPool


def app_live_endpoints(*, app) -> QuerySet[AllocatedEndpoint]:
    """Return the served endpoints of the app, test and production alike.

    A suspended request's sets keep their addresses but are not served: none is returned.
    """
    return (
        AllocatedEndpoint.objects.served()
        .of_app(app)
        .select_related("allocation", "pool", "region", "isp")
        .order_by("allocation__kind", "role", "address_key")
    )


def app_environment(*, app) -> str | None:
    """Return "production" or "test" for the set the app is served from, or None."""
    return AllocatedEndpoint.objects.served().of_app(app).environment()


@dataclass(frozen=True)
class FamilyUsage:
    """How the addresses of one IP version of a pool are used."""

    version: int
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


@dataclass(frozen=True)
class PoolUsage:
    """A pool's usage, per IP version and in total."""

    pool: ProxyPool
    families: tuple[FamilyUsage, ...]

    @property
    def size(self) -> int:
        return sum(family.size for family in self.families)

    @property
    def live(self) -> int:
        return sum(family.live for family in self.families)

    @property
    def quarantined(self) -> int:
        return sum(family.quarantined for family in self.families)

    @property
    def excluded(self) -> int:
        return sum(family.excluded for family in self.families)

    @property
    def free(self) -> int:
        return sum(family.free for family in self.families)

    @property
    def fullest(self) -> FamilyUsage | None:
        """Return the IP version with the largest share used: an IPv4 part runs out long
        before an IPv6 /64, and a total over both would hide it."""
        return max(self.families, key=lambda family: family.used_percent, default=None)

    @property
    def used_percent(self) -> float:
        """Return the share used of the fullest IP version."""
        return self.fullest.used_percent if self.fullest else 0.0


def _in_networks(networks) -> Q:
    ranges = Q(pk__in=[])
    for network in networks:
        first, last = usable_range(network)
        key_range = (int_key(network.version, first), int_key(network.version, last))
        ranges |= Q(address_key__range=key_range)
    return ranges


def _family_usage(*, pool: ProxyPool, version: int, networks, cutoff) -> FamilyUsage:
    in_family = _in_networks(networks)
    size = sum(last - first + 1 for first, last in map(usable_range, networks))
    excluded = pool.excluded_addresses.filter(in_family).count()
    if pool.is_shared:
        live = AllocatedEndpoint.objects.filter(in_family, pool=pool, live=True)
        count = live.values("address_key").distinct().count()
        return FamilyUsage(version, size, live=count, quarantined=0, excluded=excluded)
    held = AllocatedEndpoint.objects.filter(in_family, dedicated=True)
    live_keys = held.filter(live=True).values("address_key")
    quarantined = (
        held.filter(live=False, released_at__gte=cutoff)
        .exclude(address_key__in=live_keys)
        .values("address_key")
        .distinct()
        .count()
    )
    live = live_keys.distinct().count()
    return FamilyUsage(version, size, live=live, quarantined=quarantined, excluded=excluded)


def pool_usage(*, pool: ProxyPool) -> PoolUsage:
    """Count a pool's live, quarantined, excluded and free addresses per IP version,
    without listing them.

    A shared (test or edge) pool is never used up: every allocation gets all of it, and
    its addresses are not quarantined.
    """
    cutoff = timezone.now() - timedelta(days=pool.quarantine_days)
    networks = pool_networks(pool)
    families = tuple(
        _family_usage(
            pool=pool,
            version=version,
            networks=[network for network in networks if network.version == version],
            cutoff=cutoff,
        )
        for version in sorted({network.version for network in networks})
    )
    return PoolUsage(pool=pool, families=families)


def pools_usage() -> list[PoolUsage]:
    """Return the usage of every pool, in the pools' order."""
    pools = ProxyPool.objects.prefetch_related("prefixes").select_related("region", "isp")
    return [pool_usage(pool=pool) for pool in pools]


@dataclass(frozen=True)
class SharedPoolUse:
    """How many apps use each address of a shared (test or edge) pool.

    Every app given a set from a shared pool gets all of its addresses, so "used" and
    "free" mean nothing there: what staff need is how many apps each address serves.
    """

    pool: ProxyPool
    # (address, apps using it), in address order.
    addresses: tuple[tuple[str, int], ...]
    # Apps using at least one of the pool's addresses.
    apps: int

    @property
    def fewest(self) -> int:
        return min((apps for _, apps in self.addresses), default=0)

    @property
    def most(self) -> int:
        return max((apps for _, apps in self.addresses), default=0)


def _pool_addresses(pool: ProxyPool) -> list[str]:
    """Return every usable address of a small pool, or none for one too large to list."""
    ranges = [(network, *usable_range(network)) for network in pool_networks(pool)]
    if sum(last - first + 1 for _, first, last in ranges) > MAX_SHARED_POOL_ADDRESSES:
        return []
    return [
        str(network.network_address.__class__(value))
        for network, first, last in ranges
        for value in range(first, last + 1)
    ]


def shared_pool_use(*, pool: ProxyPool) -> SharedPoolUse:
    """Return how many apps use each address of the shared ``pool`` (live sets only)."""
    live = AllocatedEndpoint.objects.filter(
        pool=pool, live=True, allocation__status__in=LIVE_ALLOCATION_STATUSES
    )
    per_address = dict(
        live.values("address")
        .annotate(apps=Count("allocation__request__app", distinct=True))
        .values_list("address", "apps")
        .order_by()
    )
    excluded = set(pool.excluded_addresses.values_list("address", flat=True))
    addresses = {a: 0 for a in _pool_addresses(pool) if a not in excluded} | per_address
    apps = live.values("allocation__request__app").distinct().count()
    ordered = sorted(addresses.items(), key=lambda item: address_sort_key(item[0]))
    return SharedPoolUse(pool=pool, addresses=tuple(ordered), apps=apps)


def app_open_request(*, app_id: str):
    """Return the open request of the app with ``app_id``, or None."""
    return (
        ProvisioningRequest.objects.filter(app__app_id=app_id, status__in=OPEN_REQUEST_STATUSES)
        .select_related("app")
        .first()
    )
