"""Attempt a webhook delivery, log the attempt, and schedule the retry or give up.

A delivery is claimed with a conditional update (only the attempt it expects, only while
still open) before anything is sent, so a task run twice sends once. The HTTP request is
made outside any transaction; its outcome is written afterwards, in one.

Retries wait ``WEBHOOK_RETRY_SCHEDULE`` (5 s, 30 s, 2 min ... 12 h: over a day in all);
beat's ``webhooks.retry_due`` queues those that are due. A delivery whose retries are
spent has failed; ``WEBHOOK_DISABLE_AFTER_FAILURES`` failed deliveries in a row disable
the endpoint and e-mail the customer's admins once.
"""

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.queue import enqueue_on_commit
from webhooks.choices import DeliveryStatus
from webhooks.constants import (
    DELIVER_TASK,
    DISABLED_NOTICE_TASK,
    ERROR_MAX_LENGTH,
    SENDING_LEASE_MARGIN_SECONDS,
)
from webhooks.destinations import DestinationRefused, destination_parse, destination_resolve
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.signing import signature_headers
from webhooks.transport import Answer, webhook_post

logger = logging.getLogger(__name__)

RETRY_BATCH = 500


def _lease_seconds() -> float:
    return 2 * float(settings.WEBHOOK_TIMEOUT_SECONDS) + SENDING_LEASE_MARGIN_SECONDS


def secrets_in_use(endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    """Return the secrets that sign the endpoint's messages now: the current one, and the
    previous one until its overlap after a rotation ends."""
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and now < expires:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def body_bytes(payload: dict) -> bytes:
    """Return the exact bytes sent (and signed) for ``payload``."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _claim(*, delivery_id: int, attempt: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        attempt_count=attempt - 1,
        status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING),
    ).update(
        status=DeliveryStatus.SENDING,
        next_attempt_at=now + timedelta(seconds=_lease_seconds()),
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint__app").get(pk=delivery_id)


def _send(delivery: WebhookDelivery, *, now: datetime) -> Answer:
    endpoint = delivery.endpoint
    try:
        destination = destination_parse(endpoint.url)
        address = destination_resolve(destination)
    except DestinationRefused as exc:
        return Answer(status_code=None, latency_ms=0, error=str(exc)[:ERROR_MAX_LENGTH])
    body = body_bytes(delivery.payload)
    headers = signature_headers(
        secrets_in_use=secrets_in_use(endpoint, now=now),
        message_id=delivery.message_id,
        at=now,
        body=body.decode(),
    )
    return webhook_post(
        destination=destination,
        address=address,
        body=body,
        headers=headers,
        timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
    )


def webhook_delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """Make attempt number ``attempt`` of the delivery and return its status afterwards;
    do nothing (answer "skipped") when that attempt was already made or is not due."""
    now = timezone.now()
    delivery = _claim(delivery_id=delivery_id, attempt=attempt, now=now)
    if delivery is None:
        return "skipped"
    if not delivery.endpoint.enabled:
        answer = Answer(status_code=None, latency_ms=0, error="The endpoint is disabled.")
        return _outcome_record(delivery, answer=answer, started_at=now, final=True)
    answer = _send(delivery, now=now)
    return _outcome_record(delivery, answer=answer, started_at=now)


@transaction.atomic
def _outcome_record(
    delivery: WebhookDelivery, *, answer: Answer, started_at: datetime, final: bool = False
) -> str:
    number = delivery.attempt_count + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        latency_ms=answer.latency_ms,
        status_code=answer.status_code,
        succeeded=answer.succeeded,
        error=answer.error,
        response_excerpt=answer.excerpt,
    )
    delivery.attempt_count = number
    delivery.last_status_code = answer.status_code
    delivery.last_error = answer.error
    if answer.succeeded:
        _delivered(delivery)
    else:
        _failed_attempt(delivery, final=final)
    delivery.save(
        update_fields=[
            "attempt_count",
            "failures_in_row",
            "status",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
        ]
    )
    return delivery.status


def _delivered(delivery: WebhookDelivery) -> None:
    now = timezone.now()
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.next_attempt_at = None
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)


def _failed_attempt(delivery: WebhookDelivery, *, final: bool) -> None:
    schedule = [float(seconds) for seconds in settings.WEBHOOK_RETRY_SCHEDULE]
    delivery.failures_in_row += 1
    if not final and delivery.failures_in_row <= len(schedule):
        wait = schedule[delivery.failures_in_row - 1]
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        return
    delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    if not final:
        _endpoint_failure_count(delivery.endpoint)


def _endpoint_failure_count(endpoint: WebhookEndpoint) -> None:
    """Count a delivery that failed for good; disable the endpoint at the limit."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    limit = int(settings.WEBHOOK_DISABLE_AFTER_FAILURES)
    reason = f"Disabled after {limit} deliveries in a row failed."
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, enabled=True, consecutive_failures__gte=limit
    ).update(
        enabled=False,
        disabled_for_failures=True,
        disabled_reason=reason,
        disabled_at=timezone.now(),
        disabled_notice_sent_at=None,
    )
    if disabled:
        logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
        enqueue_on_commit(DISABLED_NOTICE_TASK, kwargs={"endpoint_id": endpoint.pk})


def webhook_retries_due(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """Queue the next attempt of every delivery that is due (a retry whose wait is over,
    or an attempt whose worker died); return how many were queued."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.SENDING)),
        next_attempt_at__lte=now,
    ).order_by("next_attempt_at", "pk")
    queued = 0
    for pk, attempts in due.values_list("pk", "attempt_count")[:limit]:
        with transaction.atomic():
            # Pushed past this run first: the next runs leave it to the task just queued.
            taken = WebhookDelivery.objects.filter(
                pk=pk, attempt_count=attempts, next_attempt_at__lte=now
            ).update(
                status=DeliveryStatus.RETRYING,
                next_attempt_at=now + timedelta(seconds=_lease_seconds()),
            )
            if taken:
                enqueue_on_commit(DELIVER_TASK, kwargs={"delivery_id": pk, "attempt": attempts + 1})
                queued += 1
    return queued
