"""The allocation engine: sizing, free addresses, all or nothing, quarantine, test sets."""

import ipaddress
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from provisioning.choices import AllocationKind, AllocationStatus, PoolRole, RequestStatus
from provisioning.exceptions import AllocationConflict, PoolExhausted, UnknownScope
from provisioning.models import AllocatedEndpoint, Allocation, Isp, Region
from provisioning.services.allocation import pool_free_addresses
from provisioning.services.lifecycle import (
    request_allocate_test,
    request_approve,
    request_revoke,
)
from provisioning.services.pools import excluded_address_add
from tests.factories import ProxyPoolFactory, edge_pool, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(reference_data):
    return {
        "cn-east": Region.objects.get(code="cn-east"),
        "na": Region.objects.get(code="na"),
        "telecom": Isp.objects.get(code="telecom"),
        "unicom": Isp.objects.get(code="unicom"),
        "mobile": Isp.objects.get(code="mobile"),
    }


def proxies(allocation):
    return allocation.endpoints.filter(role=PoolRole.PROXY, live=True).order_by("address_key")


def addresses(endpoints):
    return [endpoint.address for endpoint in endpoints]


def test_domestic_region_gets_a_group_per_isp_with_fallback_to_multi_line(scope):
    telecom_pool = ProxyPoolFactory(
        region=scope["cn-east"], isp=scope["telecom"], prefixes=["192.0.2.0/28"]
    )
    multi_line = ProxyPoolFactory(region=scope["cn-east"], isp=None, prefixes=["198.51.100.0/28"])
    request = request_for(
        regions=[scope["cn-east"]], isps=[scope["telecom"], scope["unicom"]], concurrency=250
    )

    allocation = request_approve(request=request)

    # ceil(250 / 100) + 1 spare = 4 addresses per ISP.
    telecom = proxies(allocation).filter(isp=scope["telecom"])
    unicom = proxies(allocation).filter(isp=scope["unicom"])
    assert addresses(telecom) == ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    assert {e.pool for e in telecom} == {telecom_pool}
    # No unicom pool in the region: its group comes from the multi-line pool.
    assert addresses(unicom) == ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]
    assert {e.pool for e in unicom} == {multi_line}
    assert all(e.dedicated and e.region == scope["cn-east"] for e in proxies(allocation))
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE


def test_overseas_region_gets_one_multi_line_group_and_its_edge_nodes(scope):
    ProxyPoolFactory(region=scope["cn-east"], isp=scope["telecom"], prefixes=["192.0.2.0/28"])
    na_pool = ProxyPoolFactory(
        region=scope["na"], prefixes=["203.0.113.0/28"], capacity_per_address=50, redundancy=2
    )
    edge_pool(region=scope["na"], prefixes=["203.0.113.128/30"])
    request = request_for(
        regions=[scope["cn-east"], scope["na"]], isps=[scope["telecom"]], concurrency=120
    )

    allocation = request_approve(request=request)

    na = proxies(allocation).filter(region=scope["na"])
    # ceil(120 / 50) + 2 spares = 5, one multi-line group although an ISP was requested.
    assert len(na) == 5
    assert {(e.pool, e.isp) for e in na} == {(na_pool, None)}
    edges = allocation.endpoints.filter(role=PoolRole.EDGE)
    assert sorted(addresses(edges)) == ["203.0.113.129", "203.0.113.130"]
    assert not any(e.dedicated for e in edges)
    assert edges[0].ports == [
        {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "edge"}
    ]


def test_domestic_region_without_isps_gets_one_multi_line_group(scope):
    ProxyPoolFactory(region=scope["cn-east"], isp=scope["telecom"], prefixes=["192.0.2.0/28"])
    ProxyPoolFactory(region=scope["cn-east"], prefixes=["198.51.100.0/28"])
    request = request_for(regions=[scope["cn-east"]], concurrency=100)

    allocation = request_approve(request=request)

    assert addresses(proxies(allocation)) == ["198.51.100.1", "198.51.100.2"]
    assert {e.isp for e in proxies(allocation)} == {None}


def test_a_short_pool_fails_the_whole_allocation_and_names_the_shortfall(scope):
    ProxyPoolFactory(region=scope["cn-east"], isp=scope["telecom"], prefixes=["192.0.2.0/28"])
    ProxyPoolFactory(
        name="cn-east unicom",
        region=scope["cn-east"],
        isp=scope["unicom"],
        prefixes=["192.0.2.16/30"],
    )
    request = request_for(
        regions=[scope["cn-east"]], isps=[scope["telecom"], scope["unicom"]], concurrency=300
    )
    request_allocate_test(request=request)
    events_before = request.events.count()

    with pytest.raises(PoolExhausted) as caught:
        request_approve(request=request)

    # The /30 has 2 usable addresses; 4 are needed.
    message = " ".join(caught.value.messages)
    assert "cn-east unicom" in message and "short by 2" in message
    request.refresh_from_db()
    assert request.status == RequestStatus.TESTING
    assert request.events.count() == events_before
    assert not AllocatedEndpoint.objects.filter(dedicated=True).exists()
    failed = request.allocations.get(status=AllocationStatus.FAILED)
    assert failed.kind == AllocationKind.PRODUCTION and "short by 2" in failed.error


def test_a_region_no_pool_serves_is_a_clear_error(scope):
    request = request_for(regions=[scope["na"]], concurrency=10)

    with pytest.raises(UnknownScope, match="No production pool serves region na"):
        request_approve(request=request)

    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_network_broadcast_and_excluded_addresses_are_never_handed_out(scope):
    pool = ProxyPoolFactory(region=scope["na"], prefixes=["203.0.113.0/29"], redundancy=0)
    excluded_address_add(pool=pool, address="203.0.113.2", reason="gateway")
    now = timezone.now()

    found = pool_free_addresses(pool=pool, count=10, now=now)

    assert [str(a) for a in found] == [
        "203.0.113.1",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
        "203.0.113.6",
    ]


def test_a_slash_31_hands_out_both_addresses(scope):
    pool = ProxyPoolFactory(region=scope["na"], prefixes=["203.0.113.0/31"])

    found = pool_free_addresses(pool=pool, count=5, now=timezone.now())

    assert [str(a) for a in found] == ["203.0.113.0", "203.0.113.1"]


def test_free_addresses_fill_the_gaps_between_held_ones(scope):
    ProxyPoolFactory(region=scope["na"], prefixes=["203.0.113.0/28"], redundancy=0)
    first = request_approve(request=request_for(regions=[scope["na"]], concurrency=300))
    second = request_approve(request=request_for(regions=[scope["na"]], concurrency=200))
    request_revoke(request=first.request)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        third = request_approve(request=request_for(regions=[scope["na"]], concurrency=400))

    assert addresses(proxies(second)) == ["203.0.113.4", "203.0.113.5"]
    # The first set's addresses came out of quarantine and are the lowest free ones.
    assert addresses(proxies(third)) == [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.3",
        "203.0.113.6",
    ]


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("10.0.0.0/8", ["10.0.0.1", "10.0.0.2", "10.0.0.3"]),
        # The all-zeros Subnet-Router anycast address is skipped.
        ("2001:db8:5::/64", ["2001:db8:5::1", "2001:db8:5::2", "2001:db8:5::3"]),
    ],
)
def test_huge_prefixes_are_allocated_without_enumerating_them(scope, network, expected):
    ProxyPoolFactory(region=scope["na"], prefixes=[network])
    first = request_approve(request=request_for(regions=[scope["na"]], concurrency=100))
    second = request_approve(request=request_for(regions=[scope["na"]], concurrency=200))

    assert addresses(proxies(first)) == expected[:2]
    assert addresses(proxies(second))[0] == expected[2]
    assert len(proxies(second)) == 3


def test_released_addresses_stay_quarantined_for_the_pools_quarantine_days(scope):
    ProxyPoolFactory(
        region=scope["na"], prefixes=["203.0.113.0/30"], redundancy=0, quarantine_days=10
    )
    first = request_approve(request=request_for(regions=[scope["na"]], concurrency=200))
    request_revoke(request=first.request, reason="Contract ended")
    assert not first.endpoints.filter(live=True).exists()

    with (
        time_machine.travel(timezone.now() + timedelta(days=9)),
        pytest.raises(PoolExhausted, match="has 0 free addresses"),
    ):
        request_approve(request=request_for(regions=[scope["na"]], concurrency=100))
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        again = request_approve(request=request_for(regions=[scope["na"]], concurrency=100))

    assert addresses(proxies(again)) == ["203.0.113.1"]


def test_test_set_follows_each_regions_domestic_flag_and_is_shared(scope, settings):
    settings.TEST_SET_TTL_DAYS = 30
    first = request_for(regions=[scope["cn-east"], scope["na"]], isps=[scope["telecom"]])
    second = request_for(regions=[scope["na"]])

    before = timezone.now()
    test_set = request_allocate_test(request=first)
    other = request_allocate_test(request=second)

    proxies_by_region = {
        (e.address, e.region.code) for e in test_set.endpoints.filter(role=PoolRole.PROXY)
    }
    assert proxies_by_region == {
        ("150.138.153.78", "cn-east"),
        ("23.236.115.138", "na"),
        ("148.153.66.218", "na"),
    }
    assert sorted(addresses(test_set.endpoints.filter(role=PoolRole.EDGE))) == [
        "47.74.211.17",
        "47.96.234.219",
        "52.52.84.170",
        "52.80.192.229",
    ]
    assert not test_set.endpoints.filter(dedicated=True).exists()
    assert set(addresses(other.endpoints.filter(role=PoolRole.PROXY))) == {
        "23.236.115.138",
        "148.153.66.218",
    }
    assert test_set.expires_at - before >= timedelta(days=30)
    assert test_set.expires_at - before < timedelta(days=30, minutes=1)
    assert Allocation.objects.filter(kind=AllocationKind.TEST, status="active").count() == 2


def test_the_database_refuses_an_address_held_elsewhere_and_nothing_is_written(scope, monkeypatch):
    ProxyPoolFactory(region=scope["na"], prefixes=["203.0.113.0/28"])
    first = request_approve(request=request_for(regions=[scope["na"]], concurrency=100))
    taken = [ipaddress.ip_address(address) for address in addresses(proxies(first))]
    # As if another process had picked the same addresses without holding the pool lock.
    monkeypatch.setattr(
        "provisioning.services.allocation.production.pool_free_addresses",
        lambda **kwargs: taken,
    )
    request = request_for(regions=[scope["na"]], concurrency=100)

    with pytest.raises(AllocationConflict, match="nothing was allocated"):
        request_approve(request=request)

    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert request.allocations.get().status == AllocationStatus.FAILED
    assert AllocatedEndpoint.objects.filter(live=True).count() == 2
