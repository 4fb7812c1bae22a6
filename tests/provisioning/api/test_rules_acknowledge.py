"""Make-before-break through the API: a production set is announced, the SDK keeps serving
the test set until the version is acknowledged or its effective date passes."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.choices import MembershipRole
from provisioning.models import Region
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_latest
from tests.factories import (
    CustomerFactory,
    MembershipFactory,
    ProxyPoolFactory,
    UserFactory,
    customer_admin,
    request_for,
)
from tests.provisioning.api.helpers import api_key_header, sdk_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(reference_data):
    """A request with its test set live and its production set just allocated."""
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[region], concurrency=100)
    request_allocate_test(request=request)
    request_approve(request=request)
    return request.app


def _ack(client, app, version, **headers):
    return client.post(f"/api/v1/apps/{app.app_id}/rules/{version}/ack", **headers)


def test_the_sdk_keeps_the_test_set_and_says_what_is_pending(client, announced):
    latest = rule_set_latest(app=announced)
    body = sdk_get(client, announced.app_id, "udp").json()
    assert body["environment"] == "test"
    assert body["version"] < latest.version
    assert body["pending_version"] == latest.version
    assert body["effective_at"] == latest.activation.effective_at.isoformat().replace("+00:00", "Z")
    assert all(not s["address"].startswith("203.0.113.") for s in body["servers"])


def test_the_change_feed_says_what_is_pending(client, announced):
    latest = rule_set_latest(app=announced)
    headers = api_key_header(announced.customer)
    feed = client.get(
        f"/api/v1/apps/{announced.app_id}/rules/changes/", {"since": "0000000000"}, **headers
    ).json()
    assert feed["pending_version"] == latest.version
    assert feed["in_effect"] < latest.version
    added = [c for c in feed["changes"] if c["version"] == latest.version]
    assert added and {c["effective_at"] for c in added} == {feed["effective_at"]}


def test_an_api_key_acknowledges_and_the_sdk_serves_production(client, announced):
    version = rule_set_latest(app=announced).version
    answer = _ack(client, announced, version, **api_key_header(announced.customer))
    assert answer.status_code == 200, answer.content
    assert answer.json()["acknowledged_source"] == "api"
    assert answer.json()["in_effect_since"] is not None
    body = sdk_get(client, announced.app_id, "udp").json()
    assert body["environment"] == "production"
    assert body["version"] == version
    assert body["pending_version"] is None and body["effective_at"] is None
    # Acknowledging again is harmless.
    again = _ack(client, announced, version, **api_key_header(announced.customer))
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == answer.json()["acknowledged_at"]


def test_the_effective_date_passing_serves_production_without_acknowledgement(client, announced):
    effective_at = rule_set_latest(app=announced).activation.effective_at
    with time_machine.travel(effective_at - timedelta(seconds=5), tick=False):
        assert sdk_get(client, announced.app_id).json()["environment"] == "test"
    with time_machine.travel(effective_at + timedelta(seconds=1), tick=False):
        body = sdk_get(client, announced.app_id).json()
    assert body["environment"] == "production"
    assert body["pending_version"] is None


def test_acknowledging_needs_the_rules_scope_and_the_customers_admin(client, announced):
    version = rule_set_latest(app=announced).version
    no_scope = api_key_header(announced.customer, scopes=("read",))
    assert _ack(client, announced, version, **no_scope).status_code == 403
    stranger = api_key_header(CustomerFactory())
    assert _ack(client, announced, version, **stranger).status_code == 404
    viewer = UserFactory()
    MembershipFactory(user=viewer, customer=announced.customer, role=MembershipRole.VIEWER)
    client.force_login(viewer)
    assert _ack(client, announced, version).status_code == 403
    client.force_login(customer_admin(announced.customer))
    assert _ack(client, announced, "2099010101").status_code == 404
    assert _ack(client, announced, version).status_code == 200
    assert sdk_get(client, announced.app_id).json()["environment"] == "production"


def test_nothing_is_pending_once_in_effect(client, announced):
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        body = sdk_get(client, announced.app_id).json()
    assert body["pending_version"] is None
