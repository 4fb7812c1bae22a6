"""Make before break, end to end: a production set is allocated and announced, the SDK
endpoint keeps serving the test set, the customer's webhook receiver (a real HTTP server on
127.0.0.1) gets the signed announcement, and production reaches SDKs once the customer
acknowledges the version through the API, or once its effective date passes."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook

from provisioning.models import Region
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_latest
from rules.tasks import rule_set_activations_due_task
from tests.factories import ProxyPoolFactory, request_for
from tests.provisioning.api.conftest import api_settings  # noqa: F401 (autouse fixture)
from tests.provisioning.api.helpers import api_key_header, sdk_get
from tests.webhooks.receiver import Receiver
from webhooks.choices import WebhookEvent
from webhooks.services.endpoints import webhook_endpoint_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PRODUCTION_PREFIX = "203.0.113."


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    settings.WEBHOOK_ALLOW_INSECURE_HTTP = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    settings.PUBLIC_BASE_URL = "https://proxy.example.com"
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def testing(reference_data, receiver, django_capture_on_commit_callbacks):
    """An app with its test set live and a webhook endpoint for rule versions; returns
    (request, the endpoint's secret)."""
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[region], concurrency=100)
    _, secret = webhook_endpoint_create(
        app=request.app,
        url=receiver.url,
        events=[WebhookEvent.RULES_VERSION_PUBLISHED, WebhookEvent.RULES_VERSION_EFFECTIVE],
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_allocate_test(request=request)
    receiver.received.clear()
    return request, secret


def _served(client, app_id) -> dict:
    answer = sdk_get(client, app_id, "udp")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _production_addresses(body) -> set[str]:
    return {s["address"] for s in body["servers"] if s["address"].startswith(PRODUCTION_PREFIX)}


def _verified(receiver, secret, event_type, since: int = 0) -> list[dict]:
    """Return the bodies of ``event_type`` the receiver got (from its ``since``-th request
    on), each verified with the endpoint's secret (``verify`` raises on a bad signature, or
    a timestamp more than five minutes away from the clock)."""
    bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received[since:]]
    return [body for body in bodies if body["type"] == event_type]


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _announce(request, client, receiver, secret, capture):
    """Allocate production; check the SDK still serves the test set and the receiver got
    the signed announcement. Return the new version's activation."""
    test_body = _served(client, request.app.app_id)
    with capture(execute=True):
        request_approve(request=request)
    rule_set = rule_set_latest(app=request.app)
    activation = rule_set.activation
    assert activation.effective_at > timezone.now() + timedelta(hours=71)

    body = _served(client, request.app.app_id)
    assert body["environment"] == "test"
    assert body["version"] == test_body["version"] < rule_set.version
    assert body["servers"] == test_body["servers"] and not _production_addresses(body)
    assert body["pending_version"] == rule_set.version
    assert body["effective_at"] == _iso(activation.effective_at)

    (published,) = _verified(receiver, secret, "rules.version_published")
    data = published["data"]
    assert data["version"] == rule_set.version
    assert data["effective_at"] == _iso(activation.effective_at)
    assert data["changes"]["added"] > 0
    added = {c["destination"] for c in data["changes"]["items"] if c["disposition"] == "added"}
    assert any(destination.startswith(PRODUCTION_PREFIX) for destination in added)
    assert _verified(receiver, secret, "rules.version_effective") == []
    return activation


def test_production_reaches_sdks_once_the_customer_acknowledges(
    client, testing, receiver, django_capture_on_commit_callbacks
):
    request, secret = testing
    app = request.app
    activation = _announce(request, client, receiver, secret, django_capture_on_commit_callbacks)
    version = activation.rule_set.version

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/v1/apps/{app.app_id}/rules/{version}/ack", **api_key_header(app.customer)
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["acknowledged_source"] == "api"

    body = _served(client, app.app_id)
    assert body["environment"] == "production"
    assert body["version"] == version
    assert body["pending_version"] is None and body["effective_at"] is None
    assert _production_addresses(body) == {
        e.address for e in request.allocations.get(kind="production").endpoints.all()
    }
    (effective,) = _verified(receiver, secret, "rules.version_effective")
    assert effective["data"]["version"] == version
    assert effective["data"]["acknowledged_source"] == "api"
    assert effective["data"]["announced_effective_at"] == _iso(activation.effective_at)
    # Long before the announced date.
    assert effective["data"]["effective_at"] < _iso(activation.effective_at)


def test_production_reaches_sdks_when_its_date_passes_without_acknowledgement(
    client, testing, receiver, django_capture_on_commit_callbacks
):
    request, secret = testing
    app = request.app
    activation = _announce(request, client, receiver, secret, django_capture_on_commit_callbacks)
    version = activation.rule_set.version
    announced = len(receiver.received)

    with time_machine.travel(activation.effective_at - timedelta(minutes=1)):
        assert _served(client, app.app_id)["environment"] == "test"
        with django_capture_on_commit_callbacks(execute=True):
            assert rule_set_activations_due_task.delay().get() == 0
    assert len(receiver.received) == announced

    with time_machine.travel(activation.effective_at + timedelta(seconds=1)):
        # The cached entry expires with the date itself, before beat's next run.
        body = _served(client, app.app_id)
        assert body["environment"] == "production" and body["version"] == version
        assert body["pending_version"] is None
        assert _production_addresses(body)
        with django_capture_on_commit_callbacks(execute=True):
            assert rule_set_activations_due_task.delay().get() == 1
            assert rule_set_activations_due_task.delay().get() == 0
        (effective,) = _verified(receiver, secret, "rules.version_effective", since=announced)
    assert effective["data"]["version"] == version
    assert effective["data"]["acknowledged_source"] is None
    assert effective["data"]["effective_at"] >= _iso(activation.effective_at)
