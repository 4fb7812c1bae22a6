"""The ops queue: requests waiting on ops, failed actions, test sets ending within a week and
pools under their low-water mark."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from provisioning.choices import RequestAction, RequestStatus
from provisioning.models import Region
from provisioning.selectors.ops_queue import (
    expiring_test_sets,
    ops_queue,
    request_action_failures,
    requests_awaiting_ops,
)
from provisioning.services.actions import request_action_enqueue
from provisioning.services.lifecycle import request_allocate_test, request_revoke
from provisioning.services.pools import excluded_address_add, pool_prefix_add
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    ProxyPoolFactory,
    StaffUserFactory,
    request_for,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    return Region.objects.get(code="na")


def _fail_approval(request, pool, capture):
    """Queue an approval the pool can serve, then take the pool's room before it runs."""
    with capture() as queued:
        task_id = request_action_enqueue(request=request, action="approve")
    for last in range(1, 7):
        excluded_address_add(pool=pool, address=f"203.0.113.{last}")
    for send in queued:
        send()
    return task_id


def test_requests_waiting_on_ops_carry_their_next_action_and_capacity(na):
    ProxyPoolFactory(region=na, prefixes=["203.0.113.0/29"])  # 6 usable
    submitted = request_for(regions=[na], concurrency=100)
    testing = request_for(regions=[na], concurrency=100)
    request_allocate_test(request=testing)
    too_big = request_for(regions=[na], concurrency=1000)

    rows = requests_awaiting_ops()

    assert [(row.request, row.action) for row in rows] == [
        (submitted, RequestAction.ALLOCATE_TEST),
        (too_big, RequestAction.ALLOCATE_TEST),
    ]
    assert all(row.capacity.ok for row in rows)


def test_a_failed_approval_is_listed_until_it_succeeds(na, django_capture_on_commit_callbacks):
    pool = ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[na], concurrency=1000)  # needs 11
    task_id = _fail_approval(request, pool, django_capture_on_commit_callbacks)
    now = timezone.now()

    [failure] = request_action_failures(now=now)

    assert (failure.task_id, failure.request, failure.action) == (
        task_id,
        request,
        RequestAction.APPROVE,
    )
    assert failure.state == "failed" and not failure.retrying
    assert "short by" in failure.message
    assert request_action_failures(now=now + timedelta(days=8)) == []  # a week at most

    pool_prefix_add(pool=pool, network="198.51.100.0/28")
    with django_capture_on_commit_callbacks(execute=True):
        request_action_enqueue(request=request, action="approve")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    assert request_action_failures(now=timezone.now()) == []


def test_a_failure_of_a_closed_request_leaves_the_queue(na, django_capture_on_commit_callbacks):
    pool = ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[na], concurrency=1000)
    _fail_approval(request, pool, django_capture_on_commit_callbacks)
    assert len(request_action_failures(now=timezone.now())) == 1

    request_revoke(request=request, reason="customer left")

    assert request_action_failures(now=timezone.now()) == []


def test_test_sets_ending_within_a_week_are_listed_soonest_first(na):
    first = request_allocate_test(request=request_for(regions=[na]))
    later = request_allocate_test(request=request_for(regions=[na]))
    now = timezone.now()
    first.__class__.objects.filter(pk=first.pk).update(expires_at=now + timedelta(days=2))
    later.__class__.objects.filter(pk=later.pk).update(expires_at=now + timedelta(days=6))

    assert list(expiring_test_sets(now=now)) == [first, later]
    assert list(expiring_test_sets(now=now - timedelta(days=3))) == [first]


@pytest.fixture
def busy_queue(na, django_capture_on_commit_callbacks):
    """One of each: a request waiting, a failed approval, a test set ending, a low pool."""
    pool = ProxyPoolFactory(
        name="na proxies", region=na, prefixes=["203.0.113.0/28"], low_water_free_addresses=10
    )
    customer = CustomerFactory(name="Harbour Bank")
    waiting = request_for(regions=[na], concurrency=100)
    failed = request_for(regions=[na], concurrency=1000)
    _fail_approval(failed, pool, django_capture_on_commit_callbacks)  # 8 free now
    ending = request_allocate_test(request=request_for(regions=[na]))
    ending.__class__.objects.filter(pk=ending.pk).update(
        expires_at=timezone.now() + timedelta(days=3)
    )
    return {"waiting": waiting, "failed": failed, "ending": ending, "customer": customer}


def test_ops_queue_gathers_all_four(busy_queue):
    queue = ops_queue(now=timezone.now())

    # The failed approval left its request submitted: it waits on ops too.
    assert [row.request for row in queue.waiting] == [busy_queue["waiting"], busy_queue["failed"]]
    assert [failure.request for failure in queue.failures] == [busy_queue["failed"]]
    assert queue.expiring == [busy_queue["ending"]]
    assert [(state.pool.name, state.free) for state in queue.low_pools] == [("na proxies", 8)]
    assert queue.total == 5


URL = "admin:provisioning_ops_queue"


def test_ops_see_the_queue(busy_queue, client):
    client.force_login(staff_member("ops"))

    page = client.get(reverse(URL)).content.decode()

    waiting, failed = busy_queue["waiting"], busy_queue["failed"]
    assert 'data-testid="count-waiting">(2)' in page
    assert f'provisioningrequest/{waiting.pk}/change/">#{waiting.pk}</a>' in page
    assert "Allocate test set" in page and "Can serve" in page
    assert 'data-testid="count-failures">(1)' in page
    assert f"#{failed.pk}</a> {failed.app.name}" in page and "short by" in page
    assert 'data-testid="count-expiring">(1)' in page
    assert f"allocation/{busy_queue['ending'].pk}/change/" in page
    assert 'data-testid="count-low-pools">(1)' in page
    assert "na proxies</a>" in page


def test_the_admin_index_links_the_queue_for_ops_only(client):
    ops, sales = staff_member("ops"), staff_member("sales")

    client.force_login(ops)
    assert 'data-testid="ops-queue-link"' in client.get(reverse("admin:index")).content.decode()
    client.force_login(sales)
    assert "ops-queue-link" not in client.get(reverse("admin:index")).content.decode()


def test_only_ops_and_superusers_open_the_queue(client):
    member = MembershipFactory().user
    expected = [
        (staff_member("ops"), 200),
        (StaffUserFactory(is_superuser=True), 200),
        (staff_member("sales"), 403),
        (StaffUserFactory(), 403),  # staff with no group
        (member, 302),  # not staff: the admin's sign-in page
    ]
    for user, status in expected:
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == status, user
    client.logout()
    assert client.get(reverse(URL)).status_code == 302
