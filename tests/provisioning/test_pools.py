import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection

from provisioning.models import ExcludedAddress, PoolPrefix, ProxyPool
from provisioning.services.pools import excluded_address_add, pool_create, pool_prefix_add
from tests.factories import PortProfileFactory, ProxyPoolFactory, RegionFactory


@pytest.mark.django_db
def test_pool_create_is_all_or_nothing_when_a_prefix_overlaps():
    ProxyPoolFactory(name="existing", prefixes=["192.0.2.0/24"])
    region = RegionFactory()

    with pytest.raises(ValidationError) as excinfo:
        pool_create(
            name="new pool",
            kind="production",
            scope="overseas",
            region=region,
            port_profile=PortProfileFactory(),
            prefixes=["198.51.100.0/24", "192.0.2.64/26"],
        )

    assert "existing" in excinfo.value.message_dict["network"][0]
    assert not ProxyPool.objects.filter(name="new pool").exists()
    assert not PoolPrefix.objects.filter(network="198.51.100.0/24").exists()


@pytest.mark.django_db
def test_production_proxy_pool_needs_a_region_and_a_matching_scope():
    with pytest.raises(ValidationError) as excinfo:
        pool_create(
            name="p", kind="production", scope="overseas", port_profile=PortProfileFactory()
        )
    assert "region" in excinfo.value.message_dict

    domestic = RegionFactory(domestic=True)
    with pytest.raises(ValidationError) as excinfo:
        pool_create(
            name="p",
            kind="production",
            scope="overseas",
            region=domestic,
            port_profile=PortProfileFactory(),
        )
    assert "domestic" in excinfo.value.message_dict["scope"][0]
    assert not ProxyPool.objects.filter(name="p").exists()


@pytest.mark.django_db
def test_excluded_address_must_lie_inside_the_pool():
    pool = ProxyPoolFactory(name="na", prefixes=["203.0.113.0/25"])

    excluded_address_add(pool=pool, address="203.0.113.1", reason="gateway")
    with pytest.raises(ValidationError) as excinfo:
        excluded_address_add(pool=pool, address="203.0.113.200")

    assert "not inside any prefix of pool na" in excinfo.value.message_dict["address"][0]
    assert list(ExcludedAddress.objects.values_list("address", flat=True)) == ["203.0.113.1"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_prefixes_leave_exactly_one():
    """Two writers race to add overlapping prefixes: one wins, the other fails cleanly."""
    pools = [ProxyPoolFactory(), ProxyPoolFactory()]
    networks = ["10.20.0.0/16", "10.20.128.0/17"]
    barrier = threading.Barrier(2)
    outcomes = []

    def add(pool, network):
        try:
            barrier.wait(timeout=10)
            pool_prefix_add(pool=pool, network=network)
            outcomes.append("saved")
        except (ValidationError, IntegrityError, OperationalError) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=pair) for pair in zip(pools, networks, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes).count("saved") == 1, outcomes
    assert len(outcomes) == 2
    assert PoolPrefix.objects.filter(network__in=networks).count() == 1
