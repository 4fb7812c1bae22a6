"""Find free addresses in a pool without enumerating its prefixes.

The addresses a pool can't hand out (held by a live allocation, released within the pool's
quarantine, or excluded) are read in address order, using their sortable keys, and the
free addresses are the gaps between them. The cost grows with the number of such
addresses, not with the size of the prefix: a /8 or a /64 costs what a /24 does.
"""

import ipaddress
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Q

from provisioning.addresses import IPAddress, IPNetwork, int_key, pool_networks, usable_range
from provisioning.constants import MAX_SHARED_POOL_ADDRESSES
from provisioning.exceptions import ProvisioningError
from provisioning.models import AllocatedEndpoint, ExcludedAddress, ProxyPool

# Keys read per query while walking the blocked addresses of a prefix.
BLOCKED_CHUNK_SIZE = 5000


def _blocked_chunk(*, pool: ProxyPool, after: str, upto: str, cutoff: datetime) -> list[str]:
    """Return the next keys (> ``after``, <= ``upto``) of addresses that can't be handed
    out, ascending; a key may repeat (an address both held and excluded)."""
    held = (
        AllocatedEndpoint.objects.filter(address_key__gt=after, address_key__lte=upto)
        .filter(Q(live=True) | Q(released_at__gte=cutoff), dedicated=True)
        .values_list("address_key", flat=True)
        .order_by()
    )
    excluded = (
        ExcludedAddress.objects.filter(pool=pool, address_key__gt=after, address_key__lte=upto)
        .values_list("address_key", flat=True)
        .order_by()
    )
    # UNION ALL lets the database merge two index scans instead of sorting to deduplicate.
    return list(held.union(excluded, all=True).order_by("address_key")[:BLOCKED_CHUNK_SIZE])


def _blocked_values(*, pool: ProxyPool, network: IPNetwork, now: datetime) -> Iterator[int]:
    """Yield, in ascending order, the addresses of ``network`` that can't be handed out."""
    first, last = usable_range(network)
    after, upto = int_key(network.version, first - 1), int_key(network.version, last)
    cutoff = now - timedelta(days=pool.quarantine_days)
    while True:
        keys = _blocked_chunk(pool=pool, after=after, upto=upto, cutoff=cutoff)
        for key in keys:
            yield int(key[1:], 16)
        if len(keys) < BLOCKED_CHUNK_SIZE:
            return
        after = keys[-1]


def _network_free(
    *, pool: ProxyPool, network: IPNetwork, count: int, now: datetime
) -> list[IPAddress]:
    """Return up to ``count`` free addresses of ``network``, lowest first."""
    address_class = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    first, last = usable_range(network)
    found: list[int] = []
    cursor = first
    for blocked in _blocked_values(pool=pool, network=network, now=now):
        if blocked > cursor:
            take = min(blocked - cursor, count - len(found))
            found.extend(range(cursor, cursor + take))
            if len(found) >= count:
                break
        cursor = max(cursor, blocked + 1)
    if len(found) < count and cursor <= last:
        take = min(last - cursor + 1, count - len(found))
        found.extend(range(cursor, cursor + take))
    return [address_class(value) for value in found]


def pool_free_addresses(*, pool: ProxyPool, count: int, now: datetime) -> list[IPAddress]:
    """Return up to ``count`` free addresses of ``pool``, lowest first.

    Fewer than ``count`` means the pool is short: the result is then every free address.
    The caller must hold the pool's row lock for the answer to stay true until commit.
    """
    found: list[IPAddress] = []
    for network in pool_networks(pool):
        if len(found) >= count:
            break
        found.extend(_network_free(pool=pool, network=network, count=count - len(found), now=now))
    return found


def shared_pool_addresses(*, pool: ProxyPool) -> list[IPAddress]:
    """Return every address of a shared (test or edge) pool except excluded ones."""
    excluded = set(pool.excluded_addresses.values_list("address_key", flat=True))
    addresses: list[IPAddress] = []
    for network in pool_networks(pool):
        first, last = usable_range(network)
        if len(addresses) + (last - first + 1) > MAX_SHARED_POOL_ADDRESSES:
            raise ProvisioningError(
                f"Shared pool \u201c{pool.name}\u201d has more than "
                f"{MAX_SHARED_POOL_ADDRESSES} addresses; every allocation gets all of them, "
                "so its prefixes must be smaller."
            )
        address_class = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
        for value in range(first, last + 1):
            if int_key(network.version, value) not in excluded:
                addresses.append(address_class(value))
    return addresses
