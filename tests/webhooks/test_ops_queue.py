"""Staff see whose webhook deliveries fail (ops queue) and read endpoints and deliveries in
the admin, never their secrets."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from provisioning.selectors.ops_queue import ops_queue
from tests.factories import AppFactory, staff_member
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import customers_with_failing_deliveries
from webhooks.services.endpoints import webhook_endpoint_create
from webhooks.services.events import webhook_event_emit

pytestmark = pytest.mark.django_db


def _endpoint(app, url="https://hooks.example.com/a"):
    return webhook_endpoint_create(app=app, url=url, events=["request.status_changed"])[0]


def _deliveries(endpoint, *statuses, age=timedelta(0)):
    for status in statuses:
        webhook_event_emit(endpoint.app, "request.status_changed", {"request_id": 1})
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint).latest("pk")
        delivered_at = timezone.now() if status == DeliveryStatus.DELIVERED else None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=status, created_at=timezone.now() - age, delivered_at=delivered_at
        )


@pytest.fixture
def failing(app):
    healthy, stale, broken = AppFactory(), AppFactory(), _endpoint(app)
    _deliveries(broken, DeliveryStatus.FAILED, DeliveryStatus.FAILED, DeliveryStatus.RETRYING)
    _deliveries(broken, DeliveryStatus.DELIVERED)
    _deliveries(_endpoint(healthy), DeliveryStatus.DELIVERED)
    _deliveries(_endpoint(stale), DeliveryStatus.FAILED, age=timedelta(days=8))
    dead = _endpoint(app, "https://hooks.example.com/b")
    WebhookEndpoint.objects.filter(pk=dead.pk).update(
        enabled=False,
        disabled_for_failures=True,
        disabled_reason="Disabled after 5 deliveries in a row failed.",
        disabled_at=timezone.now(),
    )
    return app


def test_customers_with_failing_deliveries_are_counted_per_customer(failing):
    rows = customers_with_failing_deliveries(since=timezone.now() - timedelta(days=7))
    assert [(r.customer, r.failed, r.retrying, r.disabled_endpoints) for r in rows] == [
        (failing.customer, 2, 1, 1)
    ]
    queue = ops_queue(now=timezone.now())
    assert [row.customer for row in queue.webhook_failures] == [failing.customer]


def test_ops_see_them_in_the_queue_and_read_endpoints_without_secrets(failing, client):
    client.force_login(staff_member("ops"))
    page = client.get(reverse("admin:provisioning_ops_queue")).content.decode()
    assert 'data-testid="count-webhook-failures">(1)' in page
    assert f">{failing.customer.name}</a>" in page

    endpoint = WebhookEndpoint.objects.filter(app=failing).first()
    for url in (
        reverse("admin:webhooks_webhookendpoint_changelist") + "?q=" + failing.app_id,
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_webhookdelivery_changelist") + "?status__exact=failed",
        reverse(
            "admin:webhooks_webhookdelivery_change",
            args=[WebhookDelivery.objects.filter(endpoint=endpoint).first().pk],
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert endpoint.secret not in response.content.decode()
        assert endpoint.secret[6:] not in response.content.decode()
