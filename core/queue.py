"""Queue Celery tasks by name through the transactional outbox.

Code that queues work names the task instead of importing it, so services never import
the task modules that call them. The task is written as a row of the outbox in the
caller's transaction (so it exists exactly when the change that needs it does) and sent
once that transaction commits; see ``core.outbox`` for what happens when it can't be.
"""

import uuid
from datetime import timedelta

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from core.choices import OutboxStatus
from core.models import OutboxMessage
from core.outbox import claim_seconds, outbox_publish, task_send

__all__ = ["TASK_RETRY_OPTIONS", "enqueue_on_commit", "task_requeue", "task_send"]

# Transient failures (a restarted database, a dropped connection, a lock timeout) are
# retried: 2 s, 4 s, 8 s ... capped at two minutes, with jitter, at most 6 times. A task
# is acknowledged only once done, so a worker that dies mid-task leaves it to another.
TASK_RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
}


def enqueue_on_commit(task_name: str, *, kwargs: dict, task_id: str | None = None) -> str:
    """Write the task registered as ``task_name`` to the outbox in the current transaction,
    send it once the transaction commits (at once outside one) and return its id.

    A send that fails (the broker is down or hung) leaves the row pending for the relay;
    it never undoes the committed work nor waits longer than the broker's timeouts.
    """
    task_id = task_id or str(uuid.uuid4())
    message = OutboxMessage.objects.create(
        task_name=task_name,
        kwargs=kwargs,
        task_id=task_id,
        # Left to the send after commit for a while; the relay takes it if that never ran.
        next_attempt_at=timezone.now() + timedelta(seconds=claim_seconds()),
    )
    transaction.on_commit(lambda: outbox_publish(message), robust=True)
    return task_id


def task_requeue(*, task_id: str) -> bool:
    """Send the task last written with ``task_id`` again, under the same id, once the
    current transaction commits; return False when the outbox has no such task."""
    last = OutboxMessage.objects.filter(task_id=task_id).order_by("-pk").first()
    if last is None:
        return False
    if last.status == OutboxStatus.PENDING:
        return True  # not sent yet: it goes out as it is
    enqueue_on_commit(last.task_name, kwargs=last.kwargs, task_id=task_id)
    return True
