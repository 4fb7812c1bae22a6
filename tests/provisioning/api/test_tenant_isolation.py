"""Every customer endpoint, called with another customer's key or session, is 404 and
leaks nothing of the other customer."""

import pytest
from django.test import Client

from accounts.choices import MembershipRole
from provisioning.models import Region
from provisioning.services.lifecycle import change_request_submit
from provisioning.services.publishing import app_rule_set_publish
from tests.factories import AppFactory, MembershipFactory, RegionFactory
from tests.provisioning.api.helpers import api_key_header, live_set

ENDPOINTS = [
    ("get", "/api/v1/apps/{app_id}/"),
    ("get", "/api/v1/apps/{app_id}/rules/"),
    ("get", "/api/v1/apps/{app_id}/rules/version/"),
    ("get", "/api/v1/apps/{app_id}/rules/latest/?format=json"),
    ("get", "/api/v1/apps/{app_id}/rules/{version}/?format=iptables"),
    ("get", "/api/v1/apps/{app_id}/rules/changes/?since=0000000000"),
    ("get", "/api/v1/requests/{request_id}/"),
    ("post", "/api/v1/requests/"),
    ("get", "/api/v1/apps/{app_id}/changes/"),
    ("get", "/api/v1/apps/{app_id}/changes/{change_id}/"),
    ("post", "/api/v1/apps/{app_id}/changes/"),
    ("get", "/api/v1/apps/{app_id}/connectivity/reports/"),
    ("post", "/api/v1/apps/{app_id}/connectivity/reports/"),
    ("get", "/api/v1/apps/{app_id}/connectivity/probe.py"),
]


@pytest.fixture
def victim(db):
    """Customer B: an app with a live set, a published rule set and a request."""
    app = AppFactory(name="Secret B app")
    allocation = live_set(app, addresses=["192.0.2.99"])
    rule_set = app_rule_set_publish(app=app)
    change = change_request_submit(request=allocation.request, concurrency=900)
    return {
        "change_id": change.pk,
        "app": app,
        "app_id": app.app_id,
        "request_id": allocation.request_id,
        "version": rule_set.version,
    }


@pytest.fixture(params=["api_key", "session"])
def intruder(request, db):
    """Customer A's client: an all-scopes API key, or an admin member's portal session."""
    own_app = AppFactory(name="A app")
    client = Client()
    if request.param == "api_key":
        client.defaults.update(api_key_header(own_app.customer))
    else:
        membership = MembershipFactory(customer=own_app.customer, role=MembershipRole.ADMIN)
        client.force_login(membership.user)
    return client


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_other_customers_objects_are_404(intruder, victim, method, path):
    url = path.format(**victim)
    if method == "post":
        RegionFactory(code="eu")
        response = intruder.post(
            url,
            {"app_id": victim["app_id"], "regions": ["eu"], "concurrency": 5},
            content_type="application/json",
        )
    else:
        response = intruder.get(url)

    assert response.status_code == 404
    body = response.content.decode()
    assert victim["app_id"] not in body
    assert "192.0.2.99" not in body
    assert "Secret B app" not in body


@pytest.mark.parametrize("path", ["/api/v1/apps/", "/api/v1/requests/"])
def test_lists_show_only_own_objects(intruder, victim, path):
    response = intruder.get(path)

    assert response.status_code == 200
    assert victim["app_id"] not in response.content.decode()
    assert all(item.get("app_id") != victim["app_id"] for item in response.json()["results"])


def test_request_submitted_for_another_customer_is_not_created(intruder, victim):
    Region.objects.get_or_create(code="eu", defaults={"name": "Europe"})
    before = victim["app"].requests.count()

    intruder.post(
        "/api/v1/requests/",
        {"app_id": victim["app_id"], "regions": ["eu"], "concurrency": 5},
        content_type="application/json",
    )

    assert victim["app"].requests.count() == before


def test_change_asked_for_another_customers_app_is_not_created(intruder, victim):
    intruder.post(
        f"/api/v1/apps/{victim['app_id']}/changes/",
        {"concurrency": 5},
        content_type="application/json",
    )

    assert victim["app"].requests.get().changes.get().concurrency == 900
