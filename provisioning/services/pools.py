"""Write pools' prefixes and excluded addresses, keeping prefixes disjoint across pools."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import transaction

from provisioning.locks import advisory_lock
from provisioning.models import ExcludedAddress, PoolPrefix, ProxyPool

PREFIX_LOCK = "provisioning.pool_prefixes"


def prefix_overlap_check(*, prefix: PoolPrefix) -> None:
    """Raise a field-keyed error naming the pool whose prefix overlaps ``prefix``."""
    try:
        network = ipaddress.ip_network(prefix.network, strict=True)
    except (TypeError, ValueError):
        return  # The field's own validation reports a malformed network.
    others = PoolPrefix.objects.select_related("pool").exclude(pk=prefix.pk)
    for other in others.iterator():
        other_network = other.ip_network
        if other_network.version == network.version and other_network.overlaps(network):
            raise ValidationError(
                {
                    "network": (
                        f"{network} overlaps {other_network} of pool "
                        f"\u201c{other.pool.name}\u201d; pool prefixes must not overlap."
                    )
                },
                code="prefix_overlap",
            )


@transaction.atomic
def pool_prefix_save(*, prefix: PoolPrefix) -> PoolPrefix:
    """Validate and save ``prefix`` while no other prefix can be written."""
    advisory_lock(PREFIX_LOCK)
    prefix.full_clean()
    prefix_overlap_check(prefix=prefix)
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
