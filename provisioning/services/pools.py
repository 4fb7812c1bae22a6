"""Write pools' prefixes and excluded addresses, keeping prefixes disjoint across pools."""

from django.db import transaction

from core.locks import advisory_lock
from provisioning.models import ExcludedAddress, PoolPrefix, ProxyPool

PREFIX_LOCK = "provisioning.pool_prefixes"


@transaction.atomic
def pool_prefix_save(*, prefix: PoolPrefix) -> PoolPrefix:
    """Validate and save ``prefix`` while no other prefix can be written."""
    # full_clean() looks for overlapping prefixes; the lock keeps that answer true until commit.
    advisory_lock(PREFIX_LOCK)
    prefix.full_clean()
    prefix.save()
    return prefix


def pool_prefix_add(*, pool: ProxyPool, network: str) -> PoolPrefix:
    """Add ``network`` to ``pool``; it must not overlap any pool's prefix."""
    return pool_prefix_save(prefix=PoolPrefix(pool=pool, network=network))


@transaction.atomic
def pool_create(*, prefixes: list[str] = (), **fields) -> ProxyPool:
    """Create a pool with its prefixes, all or nothing."""
    pool = ProxyPool(**fields)
    pool.full_clean()
    pool.save()
    for network in prefixes:
        pool_prefix_add(pool=pool, network=network)
    return pool


@transaction.atomic
def excluded_address_add(*, pool: ProxyPool, address: str, reason: str = "") -> ExcludedAddress:
    """Exclude ``address`` of ``pool`` from allocation."""
    excluded = ExcludedAddress(pool=pool, address=address, reason=reason)
    excluded.full_clean()
    excluded.save()
    return excluded
