"""A delivery attempt is made once however often its task runs; an attempt whose worker
died is taken over by the retry job once its lease ends; a disabled endpoint gets nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from standardwebhooks import Webhook

from core.models import OutboxMessage
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.services.delivery import webhook_delivery_attempt, webhook_retries_due
from webhooks.services.endpoints import webhook_endpoint_create, webhook_endpoint_update
from webhooks.services.events import webhook_event_emit

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENT = "request.status_changed"


@pytest.fixture
def delivery(app, receiver):
    """A delivery written and queued, whose task has not run yet."""
    _, secret = webhook_endpoint_create(app=app, url=receiver.url, events=[EVENT])
    webhook_event_emit(app, EVENT, {"request_id": 1})
    delivery = WebhookDelivery.objects.get()
    delivery.secret = secret
    return delivery


def _verified(delivery, received) -> dict:
    return Webhook(delivery.secret).verify(received.body, received.headers)


def test_the_tasks_are_registered_under_the_names_services_queue():
    current_app.loader.import_default_modules()
    assert {"webhooks.deliver", "webhooks.retry_due", "webhooks.disabled_notice"} <= set(
        current_app.tasks
    )


def test_a_delivery_task_run_twice_sends_once(delivery, receiver):
    queued = OutboxMessage.objects.get(task_name="webhooks.deliver")
    assert queued.kwargs == {"delivery_id": delivery.pk, "attempt": 1}

    assert webhook_delivery_attempt(**queued.kwargs) == DeliveryStatus.DELIVERED
    assert webhook_delivery_attempt(**queued.kwargs) == "skipped"
    assert len(receiver.received) == 1
    assert _verified(delivery, receiver.received[0])["data"] == {"request_id": 1}
    assert delivery.attempts.count() == 1


def test_an_attempt_whose_worker_died_is_taken_over_after_its_lease(
    delivery, receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(START, tick=False)
    # A worker claimed the attempt and died before it made it.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, next_attempt_at=START + timedelta(seconds=40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_retries_due() == 0
    time_machine.shift(40)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_retries_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1
    assert _verified(delivery, receiver.received[0])["type"] == EVENT


def test_due_retries_of_a_disabled_endpoint_fail_without_a_request(
    delivery, receiver, time_machine, django_capture_on_commit_callbacks
):
    webhook_endpoint_update(endpoint=delivery.endpoint, enabled=False)
    time_machine.move_to(delivery.next_attempt_at, tick=False)  # its first attempt is due
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_retries_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts.get().error == "The endpoint is disabled."
    assert receiver.received == []
    delivery.endpoint.refresh_from_db()
    assert delivery.endpoint.consecutive_failures == 0  # not the receiver's failure
