"""Staff ask for changes in the admin; sales review them and ops approve them from the
request's page, through the same queued actions as every other request action."""

import pytest
from django.urls import reverse

from provisioning.choices import ChangeStatus, PoolRole
from provisioning.models import ChangeRequest, Region
from provisioning.services.lifecycle import change_request_submit, live_sets, request_approve
from tests.factories import ProxyPoolFactory, edge_pool, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(reference_data):
    na = Region.objects.get(code="na")
    edge_pool(region=na, prefixes=["203.0.113.248/30"])
    ProxyPoolFactory(name="na", region=na, prefixes=["203.0.113.0/27"])
    request = request_for(regions=[na], concurrency=100)
    request_approve(request=request)
    return request


@pytest.fixture
def as_staff(client, django_capture_on_commit_callbacks):
    """Return ``post(user, url, data)``: POST as ``user``, running tasks queued on commit."""

    def post(user, url, data=None):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {})
        return client.get(response["Location"]) if response.status_code == 302 else response

    return post


def page_of(request):
    return reverse("admin:provisioning_provisioningrequest_change", args=[request.pk])


def action(request, name):
    return reverse("admin:provisioning_provisioningrequest_action", args=[request.pk, name])


def test_sales_ask_and_review_a_change_and_ops_approve_it(client, as_staff, live):
    sales, ops = staff_member("sales", username="sam"), staff_member("ops", username="olga")
    na = Region.objects.get(code="na")

    asked = as_staff(
        sales,
        reverse("admin:provisioning_changerequest_add"),
        {"request": live.pk, "regions": [na.pk], "concurrency": "400", "notes": "Renewal"},
    )

    change = ChangeRequest.objects.get()
    assert (change.status, change.created_by, change.concurrency) == ("submitted", sales, 400)
    html = asked.content.decode()
    assert 'data-testid="open-change"' in html and "peak users 100 \u2192 400" in html
    assert 'data-action="review-change"' in html
    assert 'data-action="approve-change"' not in html  # ops' work

    as_staff(sales, action(live, "review-change"))
    refused = as_staff(sales, action(live, "approve-change"))
    assert "You may not approve change" in refused.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.REVIEWED

    client.force_login(ops)
    assert 'data-action="approve-change"' in client.get(page_of(live)).content.decode()
    approved = as_staff(ops, action(live, "approve-change"))

    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    production = live_sets(live).production
    assert production.endpoints.filter(live=True, role=PoolRole.PROXY).count() == 5
    page = approved.content.decode()
    assert f"Reason: Change #{change.pk} approved." in page  # the timeline
    assert 'data-testid="task-state">Done<' in page


def test_a_change_the_request_cannot_take_is_a_form_error(client, live):
    change_request_submit(request=live, concurrency=300)
    client.force_login(staff_member("sales"))

    response = client.post(
        reverse("admin:provisioning_changerequest_add"),
        {"request": live.pk, "regions": [live.regions.get().pk], "concurrency": "500"},
    )

    assert response.status_code == 200
    assert "already has an open change" in response.content.decode()
    assert ChangeRequest.objects.count() == 1


def test_rejecting_a_change_asks_for_a_reason_and_leaves_the_set_alone(as_staff, live):
    before = live_sets(live).production.endpoints.filter(live=True).count()
    change = change_request_submit(request=live, concurrency=900)

    as_staff(staff_member("sales"), action(live, "reject-change"), {"reason": "Budget"})

    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert live_sets(live).production.endpoints.filter(live=True).count() == before
    assert live.events.last().reason == f"Change #{change.pk} rejected: Budget"


def test_staff_review_and_approve_a_change_over_the_api(
    client, live, django_capture_on_commit_callbacks
):
    change = change_request_submit(request=live, concurrency=300)
    answers = []
    for group, action_name in [("sales", "review-change"), ("ops", "approve-change")]:
        client.force_login(staff_member(group, username=f"api-{group}"))
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post(f"/api/v1/requests/{live.pk}/{action_name}/"))
    client.force_login(staff_member("sales", username="api-sales-2"))
    refused = client.post(f"/api/v1/requests/{live.pk}/approve-change/")

    assert [answer.status_code for answer in answers] == [202, 202]
    assert "task_id" in answers[1].json()
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert refused.status_code == 403
