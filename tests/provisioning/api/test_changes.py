"""Customers ask for changes to a live app over the API (key or portal session)."""

import pytest
from django.test import Client

from accounts.choices import MembershipRole
from provisioning.choices import AllocationKind, ChangeStatus
from provisioning.models import ChangeRequest
from tests.factories import AppFactory, MembershipFactory, RegionFactory, request_for
from tests.provisioning.api.helpers import api_key_header, live_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(db):
    return AppFactory(name="Video")


@pytest.fixture
def live(app):
    """The app's request, active in na with a production set."""
    allocation = live_set(app, kind=AllocationKind.PRODUCTION)
    RegionFactory(code="eu", name="Europe")
    return allocation.request


def url(app, suffix=""):
    return f"/api/v1/apps/{app.app_id}/changes/{suffix}"


def test_a_customer_key_asks_for_more_users_and_another_region(client, app, live):
    headers = api_key_header(app.customer)

    response = client.post(
        url(app),
        {"concurrency": 800, "regions": ["na", "eu"], "notes": "New office in Dublin"},
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    change = ChangeRequest.objects.get()
    assert body["id"] == change.pk and body["request"] == live.pk
    assert body["status"] == ChangeStatus.SUBMITTED
    assert (body["concurrency"], sorted(body["regions"])) == (800, ["eu", "na"])
    assert body["summary"] == "peak users 100 \u2192 800; add region Europe (eu)"
    assert body["notes"] == "New office in Dublin"
    assert body["events"][0]["reason"].startswith(f"Change #{change.pk} asked")
    listed = client.get(url(app), **headers).json()
    assert [item["id"] for item in listed["results"]] == [change.pk]
    detail = client.get(url(app, f"{change.pk}/"), **headers).json()
    assert detail["summary"] == body["summary"]
    timeline = client.get(f"/api/v1/requests/{live.pk}/", **headers).json()["events"]
    assert timeline[-1]["reason"] == f"Change #{change.pk} asked: {body['summary']}."
    assert (timeline[0]["change"], timeline[-1]["change"]) == (None, change.pk)


def test_a_second_change_waits_for_the_first(client, app, live):
    headers = api_key_header(app.customer)
    client.post(url(app), {"concurrency": 300}, content_type="application/json", **headers)

    response = client.post(
        url(app), {"concurrency": 400}, content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert response.json()["code"] == "illegal_transition"
    assert "already has an open change" in response.json()["message"]
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "non_field_errors"),
        ({"concurrency": 0}, "concurrency"),
        ({"regions": []}, "regions"),
        ({"regions": ["atlantis"]}, "regions"),
        ({"concurrency": 100}, None),  # what the app already has
    ],
)
def test_bad_changes_are_refused_by_field(client, app, live, payload, field):
    response = client.post(
        url(app), payload, content_type="application/json", **api_key_header(app.customer)
    )

    assert response.status_code == 400
    if field:
        assert field in response.json()["fields"]
    else:
        assert "Nothing to change" in response.json()["message"]
    assert not ChangeRequest.objects.exists()


def test_an_app_without_live_service_submits_a_request_instead(client, app):
    region = RegionFactory(code="eu", name="Europe")
    request_for(app, regions=[region])  # submitted: nothing live yet

    response = client.post(
        url(app),
        {"concurrency": 300},
        content_type="application/json",
        **api_key_header(app.customer),
    )

    assert response.status_code == 400
    assert "is submitted; only a request that is testing, active" in response.json()["message"]


def test_viewers_and_read_only_keys_may_not_ask(app, live):
    viewer = Client()
    viewer.force_login(MembershipFactory(customer=app.customer, role=MembershipRole.VIEWER).user)
    read_only = api_key_header(app.customer, scopes=("read",))

    by_viewer = viewer.post(url(app), {"concurrency": 300}, content_type="application/json")
    by_key = Client().post(
        url(app), {"concurrency": 300}, content_type="application/json", **read_only
    )

    assert (by_viewer.status_code, by_key.status_code) == (403, 403)
    assert not ChangeRequest.objects.exists()
    assert viewer.get(url(app)).status_code == 200


def test_another_customers_app_and_changes_are_404(client, app, live):
    headers = api_key_header(app.customer)
    client.post(url(app), {"concurrency": 300}, content_type="application/json", **headers)
    change = ChangeRequest.objects.get()
    other = api_key_header(AppFactory().customer)

    answers = [
        client.get(url(app), **other),
        client.get(url(app, f"{change.pk}/"), **other),
        client.post(url(app), {"concurrency": 900}, content_type="application/json", **other),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert all(app.app_id not in answer.content.decode() for answer in answers)
    assert ChangeRequest.objects.get().concurrency == 300
