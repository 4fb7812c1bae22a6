"""A real Celery worker (with beat) delivers a webhook after the change commits, and beat
retries it with growing gaps until the receiver, down at first, is up."""

from itertools import pairwise

import pytest
from standardwebhooks import Webhook

from tests.e2e.conftest import wait_for
from tests.factories import AppFactory
from tests.webhooks.receiver import Receiver, unused_port
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services.endpoints import webhook_endpoint_create
from webhooks.services.events import webhook_event_emit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EVENT = "request.status_changed"
SCHEDULE = [1, 3, 6, 12]


def _attempts(delivery) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))


def test_a_worker_delivers_and_beat_retries_until_the_receiver_is_up(celery_worker, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    settings.WEBHOOK_ALLOW_INSECURE_HTTP = True
    worker = celery_worker(
        beat=True,
        WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=1,
        WEBHOOK_ALLOW_INSECURE_HTTP=1,
        WEBHOOK_TIMEOUT_SECONDS=2,
        WEBHOOK_RETRY_SCHEDULE=",".join(str(s) for s in SCHEDULE),
        WEBHOOK_RETRY_SWEEP_INTERVAL_SECONDS=0.5,
    )
    app = AppFactory()
    receiver = Receiver(port=unused_port())
    _, secret = webhook_endpoint_create(app=app, url=receiver.url, events=[EVENT])

    webhook_event_emit(app, EVENT, {"request_id": 42, "to_status": "active"})
    delivery = WebhookDelivery.objects.get()
    wait_for(lambda: len(_attempts(delivery)) >= 3, message=worker.output())
    receiver.start()
    try:
        wait_for(
            lambda: WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED,
            message=worker.output(),
        )
    finally:
        receiver.stop()

    attempts = _attempts(delivery)
    assert [a.succeeded for a in attempts] == [False] * (len(attempts) - 1) + [True]
    assert all("refused" in a.error.lower() for a in attempts[:-1])
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in pairwise(attempts)]
    assert all(gap >= wait for gap, wait in zip(gaps, SCHEDULE, strict=False)), gaps
    assert gaps == sorted(gaps), gaps
    [received] = receiver.received
    body = Webhook(secret).verify(received.body, received.headers)
    assert body["data"] == {"request_id": 42, "to_status": "active"}
