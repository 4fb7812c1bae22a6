"""Change requests on live requests: asked, reviewed by sales, approved by ops, applied all
or nothing to the live set, published and notified; every step on the timeline."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from provisioning.choices import ChangeStatus, PoolRole, RequestStatus
from provisioning.exceptions import IllegalTransition, PoolExhausted
from provisioning.models import AllocatedEndpoint, Region
from provisioning.selectors.allocations import pool_usage
from provisioning.services.actions import request_action_enqueue, request_action_run
from provisioning.services.lifecycle import (
    change_request_approve,
    change_request_reject,
    change_request_review,
    change_request_submit,
    live_sets,
    request_approve,
    request_revoke,
)
from rules.selectors import rule_set_latest
from tests.factories import ProxyPoolFactory, edge_pool, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    return Region.objects.get(code="na")


@pytest.fixture
def eu(reference_data):
    return Region.objects.get(code="eu")


@pytest.fixture
def na_pool(na):
    edge_pool(region=na, prefixes=["203.0.113.248/30"])
    return ProxyPoolFactory(name="na", region=na, prefixes=["203.0.113.0/27"], redundancy=1)


@pytest.fixture
def live(na, na_pool):
    """An active request in na for 200 users: proxies 203.0.113.1-3."""
    request = request_for(regions=[na], concurrency=200)
    request_approve(request=request)
    return request


def proxies(request):
    production = live_sets(request).production
    rows = production.endpoints.filter(role=PoolRole.PROXY, live=True).order_by("address_key")
    return [endpoint.address for endpoint in rows]


def reasons(request):
    return [e.reason for e in request.events.order_by("created_at", "pk")]


def approved(request, **asked):
    change = change_request_submit(request=request, **asked)
    change_request_review(request=request, actor=staff_member("sales"))
    change_request_approve(request=request, actor=staff_member("ops"))
    change.refresh_from_db()
    return change


def test_a_change_grows_the_live_set_keeping_every_address_and_is_on_the_timeline(
    live, django_capture_on_commit_callbacks
):
    kept = {e.address: e.pk for e in live_sets(live).production.endpoints.all()}
    version = rule_set_latest(app=live.app).version
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change = approved(live, concurrency=500, reason="Exam season")

    assert change.status == ChangeStatus.APPLIED
    assert change.notes == "Exam season"
    assert proxies(live) == [f"203.0.113.{n}" for n in range(1, 7)]
    for address, pk in kept.items():
        assert live_sets(live).production.endpoints.get(address=address).pk == pk
    live.refresh_from_db()
    assert (live.status, live.concurrency) == (RequestStatus.ACTIVE, 500)
    timeline = reasons(live)[-3:]
    assert timeline[0] == f"Change #{change.pk} asked: peak users 200 \u2192 500."
    assert timeline[1] == f"Change #{change.pk} reviewed, waiting for ops."
    assert timeline[2].startswith("Resized from 200 users in na (multi-line) to 500 users")
    assert timeline[2].endswith(f"Reason: Change #{change.pk} approved.")
    assert change.events.count() == 3
    published = rule_set_latest(app=live.app)
    assert published.version > version
    assert "203.0.113.6/32" in set(published.entries.values_list("destination", flat=True))
    (notice,) = mail.outbox
    assert "203.0.113.6" in notice.body


def test_a_shrink_sends_removed_addresses_to_quarantine(live, na_pool):
    approved(live, concurrency=500)

    approved(live, concurrency=100)

    assert proxies(live) == ["203.0.113.1", "203.0.113.2"]
    released = AllocatedEndpoint.objects.filter(live=False, role=PoolRole.PROXY)
    assert sorted(e.address for e in released) == [f"203.0.113.{n}" for n in range(3, 7)]
    assert all(e.released_at is not None for e in released)
    assert pool_usage(pool=na_pool).quarantined == 4
    # Quarantined addresses are not handed out again: growing takes a fresh one.
    approved(live, concurrency=200)
    assert proxies(live) == ["203.0.113.1", "203.0.113.2", "203.0.113.7"]


def test_a_change_adds_a_region_with_its_proxies_and_edge_nodes(live, eu):
    edge_pool(region=eu, prefixes=["198.51.100.252/30"])
    ProxyPoolFactory(name="eu", region=eu, prefixes=["198.51.100.0/28"])

    change = approved(live, concurrency=300, regions=["na", "eu"])

    assert "add region" in change.summary and "(eu)" in change.summary
    production = live_sets(live).production
    eu_proxies = production.endpoints.filter(live=True, region=eu, role=PoolRole.PROXY)
    assert eu_proxies.count() == 4
    assert production.endpoints.filter(live=True, region=eu, role=PoolRole.EDGE).exists()
    assert proxies(live)[:4] == ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]
    assert sorted(r.code for r in live.regions.all()) == ["eu", "na"]


def test_a_change_the_pools_cannot_serve_changes_nothing_and_says_why(live, eu):
    ProxyPoolFactory(name="eu tiny", region=eu, prefixes=["198.51.100.0/31"])
    before = proxies(live)
    version = rule_set_latest(app=live.app).version
    change = change_request_submit(request=live, concurrency=500, regions=["na", "eu"])
    change_request_review(request=live)

    with pytest.raises(PoolExhausted, match="eu tiny"):
        change_request_approve(request=live, actor=staff_member("ops"))

    live.refresh_from_db()
    change.refresh_from_db()
    assert proxies(live) == before
    assert (live.concurrency, [r.code for r in live.regions.all()]) == (200, ["na"])
    assert change.status == ChangeStatus.REVIEWED
    assert rule_set_latest(app=live.app).version == version
    assert not live.allocations.filter(status="failed").exists()
    last = live.events.last()
    assert last.change == change
    assert last.reason.startswith(f"Change #{change.pk} could not be applied and nothing changed")
    assert "short by" in last.reason


def test_ops_approve_only_what_sales_reviewed(live):
    change_request_submit(request=live, concurrency=300)

    with pytest.raises(IllegalTransition, match="only a change that is reviewed"):
        change_request_approve(request=live)
    with pytest.raises(PermissionDenied):
        request_action_enqueue(request=live, action="approve-change", actor=staff_member("sales"))

    request_action_run(request=live, action="review-change", actor=staff_member("sales"))
    result = request_action_run(request=live, action="approve-change", actor=staff_member("ops"))
    again = request_action_run(request=live, action="approve-change")

    assert result == {"request_id": live.pk, "status": "active", "unchanged": False}
    assert again["unchanged"] is True
    assert live.concurrency == 300


def test_one_open_change_per_request_and_none_that_changes_nothing(live, na):
    with pytest.raises(ValidationError, match="Nothing to change"):
        change_request_submit(request=live, concurrency=200, regions=[na])
    first = change_request_submit(request=live, concurrency=300)

    with pytest.raises(IllegalTransition, match=f"already has an open change \\(#{first.pk}"):
        change_request_submit(request=live, concurrency=400)

    change_request_reject(request=live, reason="Talk to us first")
    first.refresh_from_db()
    assert first.status == ChangeStatus.REJECTED
    assert reasons(live)[-1] == f"Change #{first.pk} rejected: Talk to us first"
    assert change_request_submit(request=live, concurrency=400).status == ChangeStatus.SUBMITTED


def test_only_a_served_request_can_change_and_closing_it_cancels_its_change(na, na_pool):
    submitted = request_for(regions=[na], concurrency=100)
    with pytest.raises(IllegalTransition, match="is submitted; only a request that is testing"):
        change_request_submit(request=submitted, concurrency=300)

    request_approve(request=submitted)
    change = change_request_submit(request=submitted, concurrency=300)
    request_revoke(request=submitted, reason="Customer left")

    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELLED
    assert f"Change #{change.pk} cancelled: the request is revoked." in reasons(submitted)
