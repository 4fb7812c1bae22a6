import pytest

from provisioning.choices import PoolKind, PoolRole
from provisioning.models import Isp, PortRange, ProxyPool, Region
from provisioning.services.reference_data import reference_data_load

pytestmark = pytest.mark.django_db

SEED_STANDARD_PORTS = {
    ("tcp", 443, 443, "signalling"),
    ("tcp", 4000, 4000, "signalling"),
    ("tcp", 3433, 3460, "media"),
    ("udp", 3478, 3500, "media"),
}


def _pool_rows(name):
    pool = ProxyPool.objects.get(name=name)
    prefixes = sorted(pool.prefixes.values_list("network", flat=True))
    ports = set(
        PortRange.objects.filter(profile=pool.port_profile).values_list(
            "protocol", "port_start", "port_end", "purpose"
        )
    )
    return pool, prefixes, ports


def test_test_pools_hold_exactly_the_seed_addresses_ports_and_purposes():
    reference_data_load()

    domestic, prefixes, ports = _pool_rows("Test domestic")
    assert (domestic.kind, domestic.role, domestic.scope) == (PoolKind.TEST, "proxy", "domestic")
    assert prefixes == ["150.138.153.78/32"]
    assert ports == SEED_STANDARD_PORTS

    overseas, prefixes, ports = _pool_rows("Test overseas")
    assert overseas.scope == "overseas"
    assert prefixes == ["148.153.66.218/32", "23.236.115.138/32"]
    assert ports == SEED_STANDARD_PORTS

    edge, prefixes, ports = _pool_rows("Test edge nodes")
    assert (edge.role, edge.scope) == (PoolRole.EDGE, "global")
    assert prefixes == sorted(
        ["47.74.211.17/32", "52.80.192.229/32", "52.52.84.170/32", "47.96.234.219/32"]
    )
    assert ports == {("tcp", 443, 443, "edge")}


def test_loading_twice_changes_nothing():
    reference_data_load()
    before = (
        Region.objects.count(),
        Isp.objects.count(),
        PortRange.objects.count(),
        ProxyPool.objects.count(),
        sorted(ProxyPool.objects.values_list("prefixes__network", flat=True)),
    )
    reference_data_load()
    after = (
        Region.objects.count(),
        Isp.objects.count(),
        PortRange.objects.count(),
        ProxyPool.objects.count(),
        sorted(ProxyPool.objects.values_list("prefixes__network", flat=True)),
    )
    assert before == after
    assert Region.objects.filter(domestic=True).exists()
    assert Region.objects.filter(domestic=False).exists()
