"""The request lifecycle: checked and audited transitions, hand-over, expiry and resize."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from provisioning.choices import AllocationKind, AllocationStatus, PoolRole, RequestStatus
from provisioning.exceptions import IllegalTransition, PoolExhausted, UnknownScope
from provisioning.models import AllocatedEndpoint, Isp, Region
from provisioning.selectors.allocations import app_environment, app_live_endpoints
from provisioning.services.allocation import allocations_expire
from provisioning.services.lifecycle import (
    request_allocate_test,
    request_approve,
    request_reject,
    request_resize,
    request_resume,
    request_revoke,
    request_suspend,
)
from rules.selectors import rule_set_latest
from tests.factories import ProxyPoolFactory, StaffUserFactory, edge_pool, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def cn_east(reference_data):
    return Region.objects.get(code="cn-east")


@pytest.fixture
def na(reference_data):
    return Region.objects.get(code="na")


@pytest.fixture
def telecom(reference_data):
    return Isp.objects.get(code="telecom")


@pytest.fixture
def na_pool(na):
    edge_pool(region=na, prefixes=["203.0.113.248/30"])
    return ProxyPoolFactory(region=na, prefixes=["203.0.113.0/27"], redundancy=1)


def live_proxies(allocation):
    rows = allocation.endpoints.filter(role=PoolRole.PROXY, live=True).order_by("address_key")
    return [endpoint.address for endpoint in rows]


def transitions(request):
    return [(e.from_status, e.to_status) for e in request.events.order_by("created_at", "pk")]


def test_a_request_goes_from_submitted_through_testing_to_active_and_each_step_is_audited(
    na, na_pool
):
    staff = StaffUserFactory()
    request = request_for(regions=[na], concurrency=150)

    test_set = request_allocate_test(request=request, actor=staff)
    assert request.status == RequestStatus.TESTING
    assert app_environment(app=request.app) == "test"

    production = request_approve(request=request, actor=staff)

    assert request.status == RequestStatus.ACTIVE
    assert transitions(request) == [
        ("", "submitted"),
        ("submitted", "testing"),
        ("testing", "production_pending"),
        ("production_pending", "active"),
    ]
    last = request.events.last()
    assert last.actor == staff and f"#{production.pk}" in last.reason
    assert app_environment(app=request.app) == "production"
    # During the hand-over the customer is served both sets.
    served = {e.allocation_id for e in app_live_endpoints(app=request.app)}
    assert served == {test_set.pk, production.pk}


@pytest.mark.parametrize(
    ("setup", "act", "message"),
    [
        ("rejected", request_approve, "is rejected; only a request that is submitted"),
        ("active", request_resume, "is active; only a request that is suspended"),
        ("active", request_reject, "is active; only a request that is submitted"),
        ("testing", request_allocate_test, "already has a live test set"),
        ("revoked", request_revoke, "is revoked"),
        ("submitted", request_suspend, "is submitted; only a request that is testing"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message_and_change_nothing(
    na, na_pool, setup, act, message
):
    request = request_for(regions=[na], concurrency=100)
    if setup in ("testing", "active"):
        request_allocate_test(request=request)
    if setup == "active":
        request_approve(request=request)
    if setup == "rejected":
        request_reject(request=request, reason="No contract")
    if setup == "revoked":
        request_revoke(request=request)
    events = request.events.count()
    endpoints = AllocatedEndpoint.objects.filter(live=True).count()

    with pytest.raises(IllegalTransition, match=message):
        act(request=request)

    request.refresh_from_db()
    assert request.status == setup
    assert request.events.count() == events
    assert AllocatedEndpoint.objects.filter(live=True).count() == endpoints


def test_the_test_set_is_released_after_the_grace_period_once_production_is_live(
    na, na_pool, settings
):
    settings.HANDOVER_GRACE_DAYS = 7
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)
    approved_at = timezone.now()
    production = request_approve(request=request)
    test_set.refresh_from_db()
    assert test_set.expires_at - approved_at < timedelta(days=7, minutes=1)

    with time_machine.travel(approved_at + timedelta(days=6)):
        assert allocations_expire() == 0
    with time_machine.travel(approved_at + timedelta(days=7, minutes=1)):
        assert allocations_expire() == 1
        assert allocations_expire() == 0

    test_set.refresh_from_db()
    production.refresh_from_db()
    assert test_set.status == AllocationStatus.RELEASED
    assert not test_set.endpoints.filter(live=True).exists()
    assert production.status == AllocationStatus.ACTIVE
    assert {e.allocation_id for e in app_live_endpoints(app=request.app)} == {production.pk}
    assert "production took over" in request.events.last().reason


def test_an_unused_test_set_expires_after_its_ttl_and_can_be_issued_again(na, settings):
    settings.TEST_SET_TTL_DAYS = 30
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert allocations_expire() == 0
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert allocations_expire() == 1
        test_set.refresh_from_db()
        assert test_set.status == AllocationStatus.EXPIRED
        request.refresh_from_db()
        # Nothing is left to test with: the request waits for staff again.
        assert request.status == RequestStatus.SUBMITTED
        assert transitions(request)[-1] == ("testing", "submitted")
        assert app_environment(app=request.app) is None
        again = request_allocate_test(request=request)

    assert again.status == AllocationStatus.ACTIVE


def test_resize_grows_and_shrinks_and_addresses_that_stay_never_change(na, na_pool):
    request = request_for(regions=[na], concurrency=200)
    production = request_approve(request=request)
    before = AllocatedEndpoint.objects.filter(allocation=production, role=PoolRole.PROXY)
    kept_rows = {e.address: e.pk for e in before}
    assert live_proxies(production) == ["203.0.113.1", "203.0.113.2", "203.0.113.3"]

    grown = request_resize(request=request, concurrency=500)

    assert grown.added == ["203.0.113.4", "203.0.113.5", "203.0.113.6"]
    assert grown.removed == []
    assert live_proxies(production) == [f"203.0.113.{n}" for n in range(1, 7)]
    for address, pk in kept_rows.items():
        assert production.endpoints.get(address=address, live=True).pk == pk

    shrunk = request_resize(request=request, concurrency=100)

    assert shrunk.removed == ["203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.6"]
    assert live_proxies(production) == ["203.0.113.1", "203.0.113.2"]
    assert request.concurrency == 100
    assert "Resized from 500 users" in request.events.last().reason

    # Released addresses are quarantined: growing again takes fresh ones.
    regrown = request_resize(request=request, concurrency=200)
    assert regrown.added == ["203.0.113.7"]


def test_resize_adds_and_drops_regions(na, cn_east, telecom, na_pool):
    ProxyPoolFactory(region=cn_east, isp=telecom, prefixes=["192.0.2.0/28"])
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)

    change = request_resize(request=request, regions=["na", "cn-east"], isps=["telecom"])

    assert change.added == ["192.0.2.1", "192.0.2.2"]
    assert production.endpoints.filter(live=True, region=cn_east, isp=telecom).count() == 2

    change = request_resize(request=request, regions=["cn-east"])

    assert set(change.removed) == {"203.0.113.1", "203.0.113.2", "203.0.113.249", "203.0.113.250"}
    assert live_proxies(production) == ["192.0.2.1", "192.0.2.2"]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"regions": ["atlantis"]}, UnknownScope),
        ({"isps": ["pigeon-post"]}, UnknownScope),
        ({"concurrency": 0}, ValidationError),
        ({"concurrency": 5000}, PoolExhausted),
    ],
)
def test_a_bad_resize_is_refused_and_changes_nothing(na, na_pool, changes, error):
    request = request_for(regions=[na], concurrency=200)
    production = request_approve(request=request)

    with pytest.raises(error):
        request_resize(request=request, **changes)

    request.refresh_from_db()
    assert request.concurrency == 200
    assert list(request.regions.all()) == [na]
    assert live_proxies(production) == ["203.0.113.1", "203.0.113.2", "203.0.113.3"]


def test_suspended_sets_keep_their_addresses_but_are_not_served_until_resumed(na, na_pool):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)
    addresses = live_proxies(production)

    request_suspend(request=request, reason="Unpaid invoice")
    assert app_live_endpoints(app=request.app).count() == 0
    assert app_environment(app=request.app) is None
    assert live_proxies(production) == addresses

    request_resume(request=request)
    assert request.status == RequestStatus.ACTIVE
    assert app_environment(app=request.app) == "production"
    assert transitions(request)[-2:] == [("active", "suspended"), ("suspended", "active")]


def test_revoke_releases_every_set_and_their_endpoints_stop_being_live(na, na_pool):
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)
    production = request_approve(request=request)

    request_revoke(request=request, reason="Customer left")

    for allocation in (test_set, production):
        allocation.refresh_from_db()
        assert allocation.status == AllocationStatus.RELEASED
        assert not allocation.endpoints.filter(live=True).exists()
    assert request.events.last().reason == "Revoked: Customer left"
    assert app_live_endpoints(app=request.app).count() == 0


def test_every_change_of_live_allocations_publishes_the_apps_rules(na, na_pool):
    request = request_for(regions=[na], concurrency=100)
    published = []

    for change in (
        lambda: request_allocate_test(request=request),
        lambda: request_approve(request=request),
        lambda: request_resize(request=request, concurrency=300),
        lambda: request_revoke(request=request),
    ):
        change()
        published.append(rule_set_latest(app=request.app))

    versions = [rule_set.version for rule_set in published]
    assert len(set(versions)) == 4 and versions == sorted(versions)
    assert published[-1].entries.count() == 0


def test_a_failed_allocation_is_recorded_for_staff_while_the_request_keeps_its_state(na):
    ProxyPoolFactory(name="na tiny", region=na, prefixes=["203.0.113.0/31"])
    request = request_for(regions=[na], concurrency=1000)

    with pytest.raises(PoolExhausted):
        request_approve(request=request)

    failed = request.allocations.get()
    assert (failed.kind, failed.status) == (AllocationKind.PRODUCTION, AllocationStatus.FAILED)
    assert "na tiny" in failed.error and "short by 9" in failed.error
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
