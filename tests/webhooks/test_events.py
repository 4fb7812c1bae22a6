"""The service's changes reach subscribed endpoints: a rule set version is published, a
request changes status, a test set is about to end. Only subscribed, enabled endpoints get
a delivery, written with the change and sent once it commits."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from provisioning.models import Region
from provisioning.services.lifecycle import request_allocate_test
from provisioning.services.notifications import allocation_reminders_send
from tests.factories import request_for
from webhooks.choices import DeliveryStatus, WebhookEvent
from webhooks.models import WebhookDelivery
from webhooks.services.endpoints import webhook_endpoint_create, webhook_endpoint_update
from webhooks.services.events import webhook_event_emit

pytestmark = pytest.mark.django_db


def _types(endpoint) -> list[str]:
    return sorted(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True)
    )


def test_allocating_a_test_set_reports_the_status_change_and_the_new_rules_after_commit(
    app, receiver, reference_data, django_capture_on_commit_callbacks
):
    endpoint, secret = webhook_endpoint_create(
        app=app,
        url=receiver.url,
        events=[WebhookEvent.RULES_VERSION_PUBLISHED, WebhookEvent.REQUEST_STATUS_CHANGED],
    )
    request = request_for(app, regions=[Region.objects.get(code="na")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request_allocate_test(request=request)
        # Written with the change; nothing is sent before it commits.
        assert _types(endpoint) == ["request.status_changed", "rules.version_published"]
        assert receiver.received == []
    assert callbacks
    bodies = {}
    for received in receiver.received:
        body = Webhook(secret).verify(received.body, received.headers)
        bodies[body["type"]] = body
    status = bodies["request.status_changed"]["data"]
    assert (status["from_status"], status["to_status"]) == ("submitted", "testing")
    assert status["links"]["request"] == f"https://proxy.example.com/api/v1/requests/{request.pk}/"
    rules = bodies["rules.version_published"]["data"]
    assert rules["app_id"] == app.app_id and rules["previous_version"] is None
    assert rules["changes"]["added"] == rules["entry_count"] > 0
    assert rules["changes"]["removed"] == 0
    assert rules["links"]["download"].startswith(
        f"https://proxy.example.com/api/v1/apps/{app.app_id}/rules/{rules['version']}/"
    )
    assert rules["links"]["portal"] == f"https://proxy.example.com/apps/{app.app_id}/"
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2


def test_only_enabled_endpoints_subscribed_to_the_event_get_it(app, db):
    wanted, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/a", events=[WebhookEvent.REQUEST_STATUS_CHANGED]
    )
    other, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/b", events=[WebhookEvent.CREDENTIALS_EXPIRING]
    )
    off, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/c", events=[WebhookEvent.REQUEST_STATUS_CHANGED]
    )
    webhook_endpoint_update(endpoint=off, enabled=False)
    webhook_event_emit(app, WebhookEvent.REQUEST_STATUS_CHANGED, {"request_id": 1})
    assert (_types(wanted), _types(other), _types(off)) == (["request.status_changed"], [], [])
    with pytest.raises(ValueError):
        webhook_event_emit(app, "rules.deleted", {})


def test_a_test_set_ending_soon_is_reported_as_credentials_expiring(app, reference_data):
    endpoint, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/a", events=[WebhookEvent.CREDENTIALS_EXPIRING]
    )
    request = request_for(app, regions=[Region.objects.get(code="na")])
    test_set = request_allocate_test(request=request)
    soon = test_set.expires_at - timedelta(days=6)

    allocation_reminders_send(now=soon)
    allocation_reminders_send(now=soon)  # the same reminder is reported once

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    data = delivery.payload["data"]
    assert delivery.payload["type"] == "credentials.expiring"
    assert (data["credential"], data["allocation_id"], data["days_left"]) == (
        "test_set",
        test_set.pk,
        7,
    )
    assert data["expires_at"] == test_set.expires_at.isoformat(timespec="seconds").replace(
        "+00:00", "Z"
    )
    assert timezone.now() < test_set.expires_at
