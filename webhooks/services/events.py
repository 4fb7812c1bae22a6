"""Record events for an app's webhook endpoints and queue their delivery.

``webhook_event_emit`` is what the rest of the service calls: inside the transaction of
the change it reports, so the deliveries exist exactly when the change does, and are
sent (through the transactional outbox) once it commits.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import App
from core.queue import enqueue_on_commit
from webhooks.choices import TEST_EVENT, DeliveryStatus, WebhookEvent
from webhooks.constants import DELIVER_TASK
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import subscribed_endpoints
from webhooks.services.delivery import lease_until


def _timestamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def envelope(*, event_type: str, data: dict, at: datetime | None = None) -> dict:
    """Return the Standard Webhooks body: ``{"type", "timestamp", "data"}``."""
    return {"type": event_type, "timestamp": _timestamp(at or timezone.now()), "data": data}


def delivery_queue(*, delivery: WebhookDelivery) -> None:
    """Queue the next attempt of ``delivery``, sent once the current transaction commits."""
    enqueue_on_commit(
        DELIVER_TASK,
        kwargs={"delivery_id": delivery.pk, "attempt": delivery.attempt_count + 1},
    )


def _delivery_create(*, endpoint: WebhookEndpoint, payload: dict) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=payload["type"],
        message_id=f"msg_{uuid.uuid4().hex}",
        payload=payload,
        status=DeliveryStatus.PENDING,
        # The send after commit makes the first attempt; the retry job only if it never ran.
        next_attempt_at=lease_until(timezone.now()),
    )
    delivery_queue(delivery=delivery)
    return delivery


@transaction.atomic
def webhook_event_emit(app: App, event_type: str, data: dict) -> None:
    """Record ``event_type`` with ``data`` for every enabled endpoint of ``app`` that
    subscribes to it, and queue each delivery for after the current transaction commits.

    ``event_type`` is one of ``webhooks.choices.WebhookEvent``; ``data`` is JSON-ready.
    """
    if event_type not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event_type!r}.")
    payload = envelope(event_type=event_type, data=data)
    for endpoint in subscribed_endpoints(app=app, event_type=event_type):
        _delivery_create(endpoint=endpoint, payload=payload)


@transaction.atomic
def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event to ``endpoint``, whatever it subscribes to; refused while it is
    disabled."""
    if not endpoint.enabled:
        raise ValidationError({"enabled": "Enable the endpoint before sending it a test event."})
    data = {
        "app_id": endpoint.app.app_id,
        "endpoint_id": endpoint.pk,
        "message": "A test event: your endpoint receives and verifies our webhooks.",
    }
    return _delivery_create(endpoint=endpoint, payload=envelope(event_type=TEST_EVENT, data=data))


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send ``delivery`` again (same message id, signed afresh), with a full set of
    retries; refused while its endpoint is disabled or it is still under way."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, enabled=True).exists():
        raise ValidationError({"endpoint": "Enable the endpoint before resending to it."})
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        raise ValidationError({"status": "This delivery is being sent now."})
    delivery.status = DeliveryStatus.PENDING
    delivery.failures_in_row = 0
    delivery.next_attempt_at = lease_until(timezone.now())
    delivery.save(update_fields=["status", "failures_in_row", "next_attempt_at"])
    delivery_queue(delivery=delivery)
    return delivery
