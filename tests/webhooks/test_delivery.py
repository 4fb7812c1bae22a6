"""Deliveries to a real HTTP receiver on 127.0.0.1: retries with growing gaps, disabling
after repeated failure, no redirects, no private destinations, secret rotation.

Every message the receiver gets is verified with ``standardwebhooks``, as a customer would.
"""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.core import mail
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.webhooks.receiver import Receiver, unused_port
from webhooks.choices import DeliveryStatus, WebhookEvent
from webhooks.models import WebhookDelivery
from webhooks.services.delivery import webhook_retries_due
from webhooks.services.endpoints import webhook_endpoint_create, webhook_endpoint_rotate
from webhooks.services.events import webhook_event_emit, webhook_test_send

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENT = WebhookEvent.REQUEST_STATUS_CHANGED


def _endpoint(app, url, events=(EVENT,)):
    return webhook_endpoint_create(app=app, url=url, events=list(events))


def _verified(secret, received) -> dict:
    return Webhook(secret).verify(received.body, received.headers)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what commits queue (tasks are in-process in tests, as with ``make run``)."""

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    return run


def _retry_when_due(time_machine, delivery, run_tasks) -> int:
    """Move the clock to just before the delivery's next attempt (nothing is due), then
    to it, and run the retry sweep; return how many attempts it queued."""
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - datetime.now(UTC)).total_seconds()
    time_machine.shift(wait - 1)
    assert run_tasks(webhook_retries_due) == 0
    time_machine.shift(1)
    return run_tasks(webhook_retries_due)


def test_receiver_down_then_up_retries_with_growing_gaps_and_delivers_once(
    app, time_machine, run_tasks
):
    time_machine.move_to(START, tick=False)
    down = Receiver(port=unused_port())
    endpoint, secret = _endpoint(app, down.url)

    run_tasks(webhook_event_emit, app, EVENT, {"request_id": 7, "to_status": "active"})
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.RETRYING
    for _ in range(3):
        assert _retry_when_due(time_machine, delivery, run_tasks) == 1
    down.start()  # the receiver comes up on the same port
    try:
        assert _retry_when_due(time_machine, delivery, run_tasks) == 1
    finally:
        down.stop()

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    attempts = list(delivery.attempts.order_by("number"))
    assert [a.succeeded for a in attempts] == [False, False, False, False, True]
    assert all("refused" in a.error.lower() for a in attempts[:4]), [a.error for a in attempts]
    assert [a.status_code for a in attempts] == [None, None, None, None, 200]
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in pairwise(attempts)]
    assert gaps == [5, 30, 120, 600]
    assert len(down.received) == 1
    body = _verified(secret, down.received[0])
    assert body["type"] == EVENT and body["data"] == {"request_id": 7, "to_status": "active"}
    assert down.received[0].headers["webhook-id"] == delivery.message_id
    # Nothing is left to retry.
    time_machine.shift(timedelta(days=3))
    assert run_tasks(webhook_retries_due) == 0


def test_the_retry_schedule_covers_more_than_a_day(settings):
    assert sum(settings.WEBHOOK_RETRY_SCHEDULE) > 24 * 3600
    assert sorted(settings.WEBHOOK_RETRY_SCHEDULE) == settings.WEBHOOK_RETRY_SCHEDULE


def _fail_for_good(time_machine, app, receiver, run_tasks, request_id):
    run_tasks(webhook_event_emit, app, EVENT, {"request_id": request_id})
    delivery = WebhookDelivery.objects.filter(endpoint__app=app).order_by("-pk").first()
    while delivery.status != DeliveryStatus.FAILED:
        assert _retry_when_due(time_machine, delivery, run_tasks) == 1
        delivery.refresh_from_db()
    return delivery


def test_an_endpoint_answering_500_is_disabled_and_admins_are_emailed_once(
    app, receiver, time_machine, run_tasks, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [5, 30]
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    time_machine.move_to(START, tick=False)
    receiver.answer = (500, {}, b"database is down")
    endpoint, secret = _endpoint(app, receiver.url)

    first = _fail_for_good(time_machine, app, receiver, run_tasks, 1)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 1
    assert mail.outbox == []
    _fail_for_good(time_machine, app, receiver, run_tasks, 2)

    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_for_failures
    assert "2 deliveries in a row failed" in endpoint.disabled_reason
    assert len(receiver.received) == 6
    for received in receiver.received:
        _verified(secret, received)
    attempt = first.attempts.order_by("number").first()
    assert (attempt.status_code, attempt.response_excerpt) == (500, "database is down")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@example.com", "bob@example.com"]
    assert endpoint.url in mail.outbox[0].body
    # Later events are not sent to the disabled endpoint, and nobody is e-mailed again.
    run_tasks(webhook_event_emit, app, EVENT, {"request_id": 3})
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 2
    assert len(receiver.received) == 6 and len(mail.outbox) == 1


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(app, receiver, run_tasks):
    elsewhere = Receiver().start()
    try:
        receiver.answer = (302, {"Location": elsewhere.url}, b"")
        endpoint, _ = _endpoint(app, receiver.url)
        run_tasks(webhook_event_emit, app, EVENT, {"request_id": 1})
    finally:
        elsewhere.stop()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    attempt = delivery.attempts.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert (attempt.status_code, attempt.succeeded) == (302, False)
    assert "not followed" in attempt.error and elsewhere.url in attempt.error
    assert len(receiver.received) == 1 and elsewhere.received == []


def test_a_host_name_resolving_to_a_private_address_is_refused_at_delivery(
    app, receiver, run_tasks, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    # Saved: a host name is checked when it is resolved, at delivery.
    endpoint, _ = _endpoint(app, f"http://localhost:{receiver.port}/hooks/proxy")
    run_tasks(webhook_event_emit, app, EVENT, {"request_id": 1})
    attempt = WebhookDelivery.objects.get(endpoint=endpoint).attempts.get()
    assert not attempt.succeeded and attempt.status_code is None
    assert "localhost resolves to no address webhooks may reach" in attempt.error
    assert "loopback" in attempt.error
    assert receiver.received == []


def test_rotation_signs_with_both_secrets_during_the_overlap_only(
    app, receiver, time_machine, run_tasks, settings
):
    settings.WEBHOOK_SECRET_OVERLAP_SECONDS = 3600
    time_machine.move_to(START, tick=False)
    endpoint, old = _endpoint(app, receiver.url)
    endpoint, new = webhook_endpoint_rotate(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")

    run_tasks(webhook_test_send, endpoint=endpoint)
    during = receiver.received[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert _verified(old, during)["type"] == "webhook.test"
    assert _verified(new, during)["type"] == "webhook.test"

    time_machine.shift(3601)
    endpoint.refresh_from_db()
    run_tasks(webhook_test_send, endpoint=endpoint)
    after = receiver.received[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert _verified(new, after)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        _verified(old, after)
