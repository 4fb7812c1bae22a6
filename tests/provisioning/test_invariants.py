"""Each model invariant is refused twice: by full_clean() with a field-keyed message, and by
the database itself when a code path skips validation (bulk_create, update())."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F

from provisioning.choices import AllocationKind, AllocationStatus, PoolRole, RequestStatus
from provisioning.constants import MAX_CONCURRENCY
from provisioning.models import (
    AllocatedEndpoint,
    Allocation,
    PoolPrefix,
    PortRange,
    ProvisioningRequest,
)
from tests.factories import (
    AppFactory,
    PortProfileFactory,
    ProxyPoolFactory,
    RegionFactory,
    request_for,
)

pytestmark = pytest.mark.django_db


# Concurrency -----------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [0, MAX_CONCURRENCY + 1])
def test_full_clean_refuses_concurrency_out_of_range(concurrency):
    request = ProvisioningRequest(app=AppFactory(), concurrency=concurrency)

    with pytest.raises(ValidationError) as excinfo:
        request.full_clean()

    assert "concurrency" in excinfo.value.message_dict
    assert f"{MAX_CONCURRENCY:,}" in excinfo.value.message_dict["concurrency"][0]


@pytest.mark.parametrize("concurrency", [0, MAX_CONCURRENCY + 1])
def test_database_refuses_concurrency_out_of_range(concurrency):
    request = request_for(regions=[RegionFactory()], concurrency=10)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisioningRequest.objects.filter(pk=request.pk).update(concurrency=concurrency)

    request.refresh_from_db()
    assert request.concurrency == 10


# Ports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(0, 10, "port_start"), (10, 65536, "port_end"), (4000, 443, "port_end")],
)
def test_full_clean_refuses_bad_port_ranges(start, end, field):
    port_range = PortRange(
        profile=PortProfileFactory(),
        protocol="tcp",
        port_start=start,
        port_end=end,
        purpose="media",
    )

    with pytest.raises(ValidationError) as excinfo:
        port_range.full_clean()

    assert field in excinfo.value.message_dict


@pytest.mark.parametrize(("start", "end"), [(0, 10), (10, 65536), (4000, 443)])
def test_database_refuses_bad_port_ranges(start, end):
    profile = PortProfileFactory(ranges=[("tcp", 443, 443, "signalling")])

    with pytest.raises(IntegrityError), transaction.atomic():
        PortRange.objects.bulk_create(
            [
                PortRange(
                    profile=profile, protocol="udp", port_start=start, port_end=end, purpose="media"
                )
            ]
        )

    assert profile.ranges.count() == 1


def test_database_refuses_an_update_that_inverts_a_port_range():
    profile = PortProfileFactory(ranges=[("udp", 3478, 3500, "media")])

    with pytest.raises(IntegrityError), transaction.atomic():
        PortRange.objects.filter(profile=profile).update(port_start=F("port_end") + 1)

    assert list(profile.ranges.values_list("port_start", "port_end")) == [(3478, 3500)]


# Prefixes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "hint"),
    [
        ("192.0.2.1/24", "did you mean 192.0.2.0/24"),
        ("2001:db8::1/64", "did you mean 2001:db8::/64"),
        ("192.0.2.0/33", "CIDR"),
        ("not-a-network", "CIDR"),
    ],
)
def test_full_clean_refuses_an_invalid_prefix(network, hint):
    prefix = PoolPrefix(pool=ProxyPoolFactory(), network=network)

    with pytest.raises(ValidationError) as excinfo:
        prefix.full_clean()

    assert hint in excinfo.value.message_dict["network"][0]


@pytest.mark.parametrize("network", ["192.0.2.1/24", "2001:db8::1/64", "not-a-network"])
def test_database_refuses_an_invalid_prefix(network):
    pool = ProxyPoolFactory()

    # PostgreSQL's cidr type raises DataError; SQLite's CHECK raises IntegrityError.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        PoolPrefix.objects.bulk_create([PoolPrefix(pool=pool, network=network)])

    assert not PoolPrefix.objects.filter(pool=pool).exists()


def test_full_clean_refuses_an_overlapping_prefix_and_names_the_other_pool():
    ProxyPoolFactory(name="cn-east telecom", prefixes=["192.0.2.0/24"])
    prefix = PoolPrefix(pool=ProxyPoolFactory(), network="192.0.2.128/25")

    with pytest.raises(ValidationError) as excinfo:
        prefix.full_clean()

    message = excinfo.value.message_dict["network"][0]
    assert "192.0.2.0/24" in message and "cn-east telecom" in message


@pytest.mark.parametrize(
    ("existing", "overlapping"),
    [("192.0.2.0/24", "192.0.2.128/25"), ("2001:db8::/64", "2001:db8::/48")],
)
def test_database_refuses_overlapping_prefixes_across_pools(existing, overlapping):
    ProxyPoolFactory(prefixes=[existing])
    other_pool = ProxyPoolFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PoolPrefix.objects.bulk_create([PoolPrefix(pool=other_pool, network=overlapping)])

    assert not PoolPrefix.objects.filter(pool=other_pool).exists()


def test_database_refuses_an_update_that_makes_prefixes_overlap():
    ProxyPoolFactory(prefixes=["198.51.100.0/25"])
    pool = ProxyPoolFactory(prefixes=["198.51.100.128/25"])

    with pytest.raises(IntegrityError), transaction.atomic():
        PoolPrefix.objects.filter(pool=pool).update(network="198.51.100.0/24")

    assert pool.prefixes.get().network == "198.51.100.128/25"


def test_prefixes_of_different_families_or_disjoint_ranges_coexist():
    ProxyPoolFactory(prefixes=["192.0.2.0/25", "2001:db8::/64"])
    pool = ProxyPoolFactory(prefixes=["192.0.2.128/25", "2001:db8:0:1::/64"])

    assert pool.prefixes.count() == 2


# One open request per app -----------------------------------------------------------------


def test_full_clean_refuses_a_second_open_request_and_names_the_first():
    first = request_for(regions=[RegionFactory()])
    second = ProvisioningRequest(app=first.app, concurrency=10)

    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()

    assert f"#{first.pk}" in excinfo.value.message_dict["app"][0]


def test_database_refuses_a_second_open_request():
    first = request_for(regions=[RegionFactory()])

    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisioningRequest.objects.bulk_create(
            [ProvisioningRequest(app=first.app, concurrency=5, status=RequestStatus.TESTING)]
        )

    assert ProvisioningRequest.objects.filter(app=first.app).count() == 1


def test_database_refuses_reopening_a_closed_request_while_another_is_open():
    first = request_for(regions=[RegionFactory()])
    ProvisioningRequest.objects.filter(pk=first.pk).update(status=RequestStatus.REJECTED)
    second = request_for(first.app, regions=[RegionFactory()])

    with pytest.raises(IntegrityError), transaction.atomic():
        ProvisioningRequest.objects.filter(pk=first.pk).update(status=RequestStatus.SUBMITTED)

    first.refresh_from_db()
    assert (first.status, second.status) == (RequestStatus.REJECTED, RequestStatus.SUBMITTED)


# One live allocation per address ----------------------------------------------------------


def _endpoint(allocation, pool, address, *, dedicated=True, live=True):
    return AllocatedEndpoint(
        allocation=allocation,
        pool=pool,
        address=address,
        role=PoolRole.PROXY,
        dedicated=dedicated,
        live=live,
    )


@pytest.fixture
def two_allocations():
    pool = ProxyPoolFactory(prefixes=["203.0.113.0/24"])
    allocations = []
    for _ in range(2):
        request = request_for(regions=[pool.region])
        allocations.append(
            Allocation.objects.create(
                request=request, kind=AllocationKind.PRODUCTION, status=AllocationStatus.ACTIVE
            )
        )
    return pool, allocations


def test_full_clean_refuses_an_address_held_by_another_live_allocation(two_allocations):
    pool, (first, second) = two_allocations
    _endpoint(first, pool, "203.0.113.10").save()

    with pytest.raises(ValidationError) as excinfo:
        _endpoint(second, pool, "203.0.113.10").full_clean()

    assert "already held by another live allocation" in str(excinfo.value)


def test_database_refuses_an_address_held_by_another_live_allocation(two_allocations):
    pool, (first, second) = two_allocations
    _endpoint(first, pool, "203.0.113.10").save()

    with pytest.raises(IntegrityError), transaction.atomic():
        AllocatedEndpoint.objects.bulk_create([_endpoint(second, pool, "203.0.113.10")])

    assert AllocatedEndpoint.objects.filter(address="203.0.113.10").count() == 1


def test_database_refuses_bringing_a_released_address_back_to_life(two_allocations):
    pool, (first, second) = two_allocations
    _endpoint(first, pool, "203.0.113.10").save()
    released = _endpoint(second, pool, "203.0.113.10", live=False)
    released.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        AllocatedEndpoint.objects.filter(pk=released.pk).update(live=True)

    released.refresh_from_db()
    assert released.live is False


def test_shared_addresses_may_be_live_in_many_allocations(two_allocations):
    pool, (first, second) = two_allocations

    AllocatedEndpoint.objects.bulk_create(
        [
            _endpoint(first, pool, "150.138.153.78", dedicated=False),
            _endpoint(second, pool, "150.138.153.78", dedicated=False),
        ]
    )

    assert AllocatedEndpoint.objects.filter(address="150.138.153.78", live=True).count() == 2
