"""Portal: the request list, and asking for a change to a live request."""

import pytest
from django.urls import reverse

from provisioning.choices import AllocationKind, ChangeStatus
from provisioning.models import ChangeRequest, Region
from tests.factories import RegionFactory, request_for
from tests.provisioning.api.helpers import live_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(app):
    """``app``'s request, active in na for 100 users."""
    request = live_set(app, kind=AllocationKind.PRODUCTION).request
    RegionFactory(code="eu", name="Europe")
    return request


def change_url(request):
    return reverse("portal_change_create", args=[request.pk])


def test_an_admin_asks_for_more_users_and_a_region_and_sees_it_on_the_request(member_client, live):
    form = member_client.get(change_url(live))
    assert form.status_code == 200
    assert form.context["form"]["concurrency"].value() == 100  # starts at what it has

    regions = [Region.objects.get(code=code).pk for code in ("na", "eu")]
    response = member_client.post(
        change_url(live), {"regions": regions, "concurrency": "600", "notes": "Dublin office"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal_request_detail", args=[live.pk])
    change = ChangeRequest.objects.get()
    assert (change.request, change.concurrency, change.status) == (live, 600, "submitted")
    page = member_client.get(response["Location"])
    html = page.content.decode()
    assert f"Change #{change.pk} submitted: peak users 100 \u2192 600; add region Europe" in html
    assert "Peak users 100 \u2192 600; add region Europe (eu)" in html  # the changes table
    assert f"Change #{change.pk} asked" in html  # the timeline
    assert "Dublin office" in html
    assert not page.context["can_change"]  # one open change at a time


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"concurrency": "100"}, "regions", "Choose at least one region."),
        ({"concurrency": "0", "regions": "na"}, "concurrency", "greater than or equal to 1"),
        ({"concurrency": "100", "regions": "na"}, "__all__", "Nothing to change"),
    ],
)
def test_a_bad_change_shows_its_error_by_the_field_and_saves_nothing(
    member_client, live, data, field, message
):
    if "regions" in data:
        data = {**data, "regions": [Region.objects.get(code=data["regions"]).pk]}

    response = member_client.post(change_url(live), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ChangeRequest.objects.exists()


def test_a_request_that_is_not_live_explains_why_no_change_can_be_asked(member_client, app):
    request = request_for(app, regions=[RegionFactory(code="na")])

    page = member_client.get(change_url(request))
    posted = member_client.post(change_url(request), {"concurrency": "300"})

    assert "is submitted; only a request that is testing, active can be changed" in (
        page.content.decode()
    )
    assert posted.status_code == 400
    assert not ChangeRequest.objects.exists()


def test_viewers_may_not_ask_and_other_customers_requests_are_404(
    client, viewer, member_client, live, other_app
):
    other = live_set(other_app, kind=AllocationKind.PRODUCTION, addresses=["192.0.2.77"])
    client.force_login(viewer)

    assert client.get(change_url(live)).status_code == 403
    assert client.post(change_url(live), {"concurrency": "300"}).status_code == 403
    assert member_client.get(change_url(other.request)).status_code == 404
    assert member_client.post(change_url(other.request), {"concurrency": "9"}).status_code == 404
    assert not ChangeRequest.objects.exists()


def test_the_request_list_shows_the_customers_requests_and_changes_only(
    member_client, app, live, other_app
):
    from provisioning.services.lifecycle import change_request_submit

    change = change_request_submit(request=live, concurrency=250)
    request_for(other_app, regions=[Region.objects.get(code="na")])

    response = member_client.get(reverse("portal_request_list"))

    assert response.status_code == 200
    assert [r.pk for r in response.context["requests"]] == [live.pk]
    assert [c.pk for c in response.context["changes"]] == [change.pk]
    html = response.content.decode()
    assert "Teller video" in html and app.app_id in html
    assert "Peak users 100 \u2192 250" in html
    assert ChangeStatus.SUBMITTED.label in html
    assert "Secret app" not in html and other_app.app_id not in html


def test_the_request_list_needs_a_sign_in(client):
    response = client.get(reverse("portal_request_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_request_for_a_live_app_points_to_asking_for_a_change(member_client, app, live):
    response = member_client.post(
        reverse("portal_request_create"),
        {"app": app.app_id, "regions": [Region.objects.get(code="eu").pk], "concurrency": "50"},
    )

    assert response.status_code == 400
    [message] = response.context["form"].errors["app"]
    assert f"already has an open request (#{live.pk}, active)" in message
    assert "ask for a change to that request instead" in message
