"""Celery tasks of webhooks: one delivery attempt, the retry sweep, the disabled notice.

Services queue them by their registered names (``webhooks.constants``) through the
transactional outbox. Each is idempotent: an attempt is claimed before it is made, a
notice before it is sent.
"""

from celery import shared_task

from core.queue import TASK_RETRY_OPTIONS
from webhooks.constants import DELIVER_TASK, DISABLED_NOTICE_TASK
from webhooks.services.delivery import webhook_delivery_attempt, webhook_retries_due
from webhooks.services.notices import webhook_disabled_notice_send


@shared_task(name=DELIVER_TASK, **TASK_RETRY_OPTIONS)
def webhook_deliver_task(*, delivery_id: int, attempt: int) -> str:
    """Make attempt ``attempt`` of delivery ``delivery_id`` (see the delivery service)."""
    return webhook_delivery_attempt(delivery_id=delivery_id, attempt=attempt)


# Not retried on its own: beat runs it again within seconds.
@shared_task(name="webhooks.retry_due", acks_late=True, ignore_result=True)
def webhook_retries_due_task() -> int:
    """Queue the deliveries whose next attempt is due."""
    return webhook_retries_due()


@shared_task(name=DISABLED_NOTICE_TASK, **{**TASK_RETRY_OPTIONS, "autoretry_for": (Exception,)})
def webhook_disabled_notice_task(*, endpoint_id: int) -> int:
    """E-mail the customer's admins that the endpoint was disabled (once)."""
    return webhook_disabled_notice_send(endpoint_id=endpoint_id)
