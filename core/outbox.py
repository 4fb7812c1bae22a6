"""Send the tasks written to the outbox to the broker, now or, while it is down, later.

A row is sent once right after the transaction that wrote it commits (see
``core.queue.enqueue_on_commit``); a row that could not be sent stays pending and the
relay (``outbox_relay``, run by beat and by ``manage.py relay_outbox``) sends it with
backoff until the broker takes it. A row may be sent twice (a process died between
sending it and marking it sent): every task is idempotent.
"""

import logging
from datetime import datetime, timedelta

from celery import current_app
from celery.exceptions import NotRegistered
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.choices import OutboxStatus
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# The first retry of a send that failed; each further one waits twice as long, up to
# OUTBOX_RETRY_MAX_SECONDS.
RETRY_FIRST_SECONDS = 2
# Rows one relay run takes; the next run (seconds later) takes the rest.
RELAY_BATCH = 200
# Sent rows are kept this long for staff to look into, then deleted by the relay.
SENT_KEPT_DAYS = 7


def _registered_task(task_name: str):
    """Return the task registered as ``task_name``, importing the apps' task modules first
    when this process has not loaded them yet (a web process imports none by itself)."""
    try:
        return current_app.tasks[task_name]
    except NotRegistered:
        current_app.loader.import_default_modules()
        return current_app.tasks[task_name]


def task_send(*, task_name: str, kwargs: dict, task_id: str) -> None:
    """Send the task registered as ``task_name`` to the broker or, with none configured,
    run it in-process.

    In-process runs store their result, failures included, as a worker would, instead
    of raising into the code that queued them.
    """
    task = _registered_task(task_name)
    if task.app.conf.task_always_eager:
        task.apply(kwargs=kwargs, task_id=task_id, throw=False)
    else:
        task.apply_async(kwargs=kwargs, task_id=task_id)


def retry_delay(attempts: int) -> float:
    """Return the seconds to wait before the next send after ``attempts`` failed ones."""
    ceiling = float(settings.OUTBOX_RETRY_MAX_SECONDS)
    return min(ceiling, RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0))


def claim_seconds() -> float:
    """Return how long one send may take: two tries of a broker connect and answer.

    A row being sent is left alone by the relay for that long (plus a margin), so the
    send right after commit and the relay rarely both send it.
    """
    options = current_app.conf.broker_transport_options or {}
    connect = float(options.get("socket_connect_timeout") or 2)
    answer = float(options.get("socket_timeout") or 5)
    return 2 * (connect + answer) + 5


def outbox_publish(message: OutboxMessage, *, now: datetime | None = None) -> bool:
    """Send ``message`` and mark it sent; on failure record why and when to try again.

    Return whether it was sent. Never raises for a broker that is down or hung: the
    row stays pending for the relay.
    """
    try:
        task_send(task_name=message.task_name, kwargs=message.kwargs, task_id=message.task_id)
    except Exception as exc:  # Any transport's error: the row stays pending and is retried.
        logger.warning("Could not send task %s (%s): %s", message.task_name, message.task_id, exc)
        _failure_record(message, error=f"{type(exc).__name__}: {exc}", now=now)
        return False
    try:
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENT, sent_at=now or timezone.now()
        )
    except DatabaseError:
        # Sent, but still pending: the relay sends it again, which idempotent tasks allow.
        logger.warning("Sent task %s but could not mark it sent.", message.task_id)
    return True


def _failure_record(message: OutboxMessage, *, error: str, now: datetime | None) -> None:
    attempts = message.attempts + 1
    when = (now or timezone.now()) + timedelta(seconds=retry_delay(attempts))
    try:
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            attempts=F("attempts") + 1, next_attempt_at=when, last_error=error[:2000]
        )
    except DatabaseError:
        logger.warning("Could not record the failed send of task %s.", message.task_id)


def _claim(*, now: datetime, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for this relay run, so concurrent runs share them."""
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        messages = list(due[:limit])
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            next_attempt_at=now + timedelta(seconds=claim_seconds())
        )
    return messages


def outbox_relay(*, now: datetime | None = None, limit: int = RELAY_BATCH) -> dict:
    """Send the pending rows that are due; return how many were sent and how many failed.

    Rows are claimed (pushed past this run) in a short transaction first, then sent one
    by one outside it, so a slow broker holds no lock.
    """
    now = now or timezone.now()
    sent = failed = 0
    for message in _claim(now=now, limit=limit):
        if outbox_publish(message, now=now):
            sent += 1
        else:
            failed += 1
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENT, sent_at__lt=now - timedelta(days=SENT_KEPT_DAYS)
    ).delete()
    return {"sent": sent, "failed": failed}
