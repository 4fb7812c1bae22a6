"""Whether the pools can serve a request, shown before Approve or Allocate is clicked."""

import pytest
from django.urls import reverse
from django_celery_results.models import TaskResult

from provisioning.choices import RequestAction, RequestStatus
from provisioning.models import Isp, ProxyPool, Region
from provisioning.selectors.capacity import request_capacity
from provisioning.services.lifecycle import request_approve
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    return Region.objects.get(code="na")


def test_approve_capacity_follows_the_sizing_rule(na):
    pool = ProxyPoolFactory(name="na", region=na, prefixes=["203.0.113.0/28"])  # 14 usable
    request = request_for(regions=[na], concurrency=250)  # ceil(250 / 100) + 1 = 4

    capacity = request_capacity(request=request, action=RequestAction.APPROVE)

    assert capacity.ok and capacity.reason == ""
    [line] = capacity.lines
    assert (line.label, line.pool, line.needed, line.free) == ("na/multi-line", pool, 4, 14)


def test_lines_sharing_a_pool_are_summed_and_a_short_pool_is_named(reference_data):
    east = Region.objects.get(code="cn-east")
    telecom, unicom = Isp.objects.get(code="telecom"), Isp.objects.get(code="unicom")
    ProxyPoolFactory(name="east multi-line", region=east, prefixes=["198.51.100.0/29"])
    request = request_for(regions=[east], isps=[telecom, unicom], concurrency=300)

    capacity = request_capacity(request=request, action=RequestAction.APPROVE)

    assert [(line.label, line.needed, line.free) for line in capacity.lines] == [
        ("cn-east/telecom", 4, 6),
        ("cn-east/unicom", 4, 6),
    ]
    assert not capacity.ok
    assert capacity.reason == (
        "Pool \u201ceast multi-line\u201d has 6 free addresses and this request needs 8 "
        "(short by 2)."
    )


def test_a_region_without_a_pool_cannot_be_approved(na):
    eu = Region.objects.get(code="eu")
    ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[na, eu], concurrency=100)

    capacity = request_capacity(request=request, action=RequestAction.APPROVE)

    assert capacity.reason == "No production pool serves region eu."
    assert [line.pool is None for line in capacity.lines] == [True, False]  # eu, na


def test_addresses_held_by_other_requests_are_not_free(na):
    ProxyPoolFactory(region=na, prefixes=["203.0.113.0/29"])  # 6 usable
    request_approve(request=request_for(regions=[na], concurrency=300))  # takes 4
    second = request_for(regions=[na], concurrency=300)

    capacity = request_capacity(request=second, action=RequestAction.APPROVE)

    assert capacity.lines[0].free == 2
    assert "has 2 free addresses and this request needs 4 (short by 2)" in capacity.reason


def test_allocate_needs_a_test_pool_per_region(na):
    request = request_for(regions=[na], concurrency=100)
    assert request_capacity(request=request, action=RequestAction.ALLOCATE_TEST).ok
    assert request_capacity(request=request, action=RequestAction.REJECT) is None

    ProxyPool.objects.filter(kind="test", scope="overseas").update(enabled=False)

    capacity = request_capacity(request=request, action=RequestAction.ALLOCATE_TEST)
    assert capacity.reason == "No overseas test pool serves region na."


@pytest.fixture
def ops_client(client):
    client.force_login(staff_member("ops"))
    return client


def test_the_request_page_disables_approve_with_the_reason(na, ops_client):
    ProxyPoolFactory(name="na small", region=na, prefixes=["203.0.113.0/30"])  # 2 usable
    request = request_for(regions=[na], concurrency=1000)

    page = ops_client.get(
        reverse("admin:provisioning_provisioningrequest_change", args=[request.pk])
    ).content.decode()

    approve = page[page.index('data-action="approve"') :]
    assert approve[: approve.index(">")].count("disabled") == 1
    assert "Can't approve:</strong> Pool \u201cna small\u201d has 2 free addresses" in page
    assert "na/multi-line: na small, needs 11 of 2 free" in page
    allocate = page[page.index('data-action="allocate-test"') :]
    assert "disabled" not in allocate[: allocate.index(">")]
    assert 'data-testid="capacity-allocate-test"' in page


def test_the_request_page_shows_what_approval_takes_when_the_pools_can_serve(na, ops_client):
    ProxyPoolFactory(name="na big", region=na, prefixes=["203.0.113.0/24"])
    request = request_for(regions=[na], concurrency=1000)

    page = ops_client.get(
        reverse("admin:provisioning_provisioningrequest_change", args=[request.pk])
    ).content.decode()

    assert "The pools can serve this request" in page
    assert "na/multi-line: na big, needs 11 of 254 free" in page
    assert "Can't approve" not in page


def test_a_forced_approve_is_refused_with_the_reason_and_nothing_queued(
    na, ops_client, django_capture_on_commit_callbacks
):
    ProxyPoolFactory(name="na small", region=na, prefixes=["203.0.113.0/30"])
    request = request_for(regions=[na], concurrency=1000)
    url = reverse("admin:provisioning_provisioningrequest_action", args=[request.pk, "approve"])

    with django_capture_on_commit_callbacks(execute=True):
        response = ops_client.post(url, follow=True)

    assert "short by 9" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert not TaskResult.objects.exists() and not request.allocations.exists()


def test_the_staff_api_refuses_an_approval_the_pools_cannot_serve(na, ops_client):
    ProxyPoolFactory(name="na small", region=na, prefixes=["203.0.113.0/30"])
    request = request_for(regions=[na], concurrency=1000)

    response = ops_client.post(
        f"/api/v1/requests/{request.pk}/approve/", {}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "pool_exhausted"
    assert "short by 9" in response.json()["message"] + str(response.json().get("fields"))
    assert not TaskResult.objects.exists()
