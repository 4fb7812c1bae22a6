"""Celery tasks: thin wrappers over the allocation services.

Each takes ids, re-reads its objects and is idempotent: a task run twice (a redelivered
message after a worker died: ``acks_late`` with ``reject_on_worker_lost``) changes nothing
the second time. Transient database errors are retried with exponential backoff
(``core.queue.TASK_RETRY_OPTIONS``). Code that queues a task names it
(``core.queue.enqueue_on_commit``) instead of importing this module.
"""

from celery import shared_task
from django.contrib.auth import get_user_model

from core.queue import TASK_RETRY_OPTIONS
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.services.actions import request_action_run
from provisioning.services.allocation import allocations_expire
from provisioning.services.notifications import (
    allocation_notice_deliver,
    allocation_reminders_send,
)
from provisioning.services.pool_alerts import pool_low_water_alerts_send


def _actor(actor_id: int | None):
    if actor_id is None:
        return None
    return get_user_model().objects.filter(pk=actor_id).first()


def _run(request_id: int, action: str, actor_id: int | None, reason: str = "") -> dict:
    return request_action_run(
        request=ProvisioningRequest.objects.get(pk=request_id),
        action=action,
        actor=_actor(actor_id),
        reason=reason,
    )


@shared_task(**TASK_RETRY_OPTIONS)
def request_action_task(
    request_id: int, action: str, actor_id: int | None = None, reason: str = ""
) -> dict:
    """Take a staff action on a request (see ``request_action_enqueue``)."""
    return _run(request_id, action, actor_id, reason)


@shared_task(**TASK_RETRY_OPTIONS)
def expire_allocations_task() -> dict:
    """End test sets past their expiry, or handed over to production (periodic)."""
    return {"ended": allocations_expire()}


@shared_task(**TASK_RETRY_OPTIONS)
def allocation_reminders_task() -> dict:
    """E-mail reminders of sets ending within 7 days and 1 day (periodic)."""
    return {"sent": allocation_reminders_send()}


@shared_task(**TASK_RETRY_OPTIONS)
def pool_low_water_task() -> dict:
    """E-mail ops about pools that went below their low-water mark, once per crossing
    (periodic)."""
    return pool_low_water_alerts_send()


@shared_task(bind=True, **TASK_RETRY_OPTIONS)
def allocation_notice_task(
    self, allocation_id: int, notice: str, added: list | None = None, removed: list | None = None
) -> dict:
    """E-mail the customer's admins about a set that went live or changed, once."""
    sent = allocation_notice_deliver(
        allocation=Allocation.objects.select_related("request__app__customer").get(
            pk=allocation_id
        ),
        notice=notice,
        key=self.request.id,
        added=added or (),
        removed=removed or (),
    )
    return {"allocation_id": allocation_id, "sent": sent}
