"""Celery tasks: thin wrappers over the allocation services.

Each takes ids, re-reads its objects and is idempotent: a task run twice (a redelivered
message after a worker died: ``acks_late`` with ``reject_on_worker_lost``) changes nothing
the second time. Transient database errors are retried with exponential backoff
(``core.queue.TASK_RETRY_OPTIONS``). Code that queues a task names it
(``core.queue.enqueue_on_commit``) instead of importing this module.

A staff action's progress is kept on its ``RequestActionRun`` (see
``provisioning.services.action_runs``), and its retries are the task's own: they don't
depend on the result backend, whose writes fail in the same database outage.
"""

import contextlib
import random

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError

from core.queue import TASK_RETRY_OPTIONS
from provisioning.failures import action_failure_message
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.services.action_runs import (
    action_run_done,
    action_run_fail,
    action_run_retrying,
    action_run_start,
    action_runs_sweep,
)
from provisioning.services.actions import request_action_run
from provisioning.services.allocation import allocations_expire
from provisioning.services.connectivity_alerts import connectivity_alert_send
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


TRANSIENT = (OperationalError, InterfaceError)
# What an action refuses to do: a final answer, not retried.
REFUSED = (ValidationError, PermissionDenied, ObjectDoesNotExist)
# The retries of a staff action, as for every task: 2 s doubling up to 2 minutes (half to
# all of it, at random), at most 6 times; over a minute in all, so a short database
# outage is waited out. Beyond that, the sweeper queues the run again once its lease ends.
ACTION_TASK_OPTIONS = {
    key: TASK_RETRY_OPTIONS[key] for key in ("acks_late", "reject_on_worker_lost", "max_retries")
}


def _countdown(retries: int) -> float:
    ceiling = min(TASK_RETRY_OPTIONS["retry_backoff_max"], 2 ** (retries + 1))
    return random.uniform(ceiling / 2, ceiling)


def _retry(task, exc: Exception, *, action: str) -> None:
    """Record the retry on the run (if the database lets us) and raise Celery's retry, or
    ``exc`` once the retries are spent.

    A write that fails here (the database is still down) is left to the run's lease: the
    sweeper queues the run again once it runs out.
    """
    countdown = _countdown(task.request.retries)
    attempt = task.request.retries + 1
    if task.request.retries >= task.max_retries:
        with contextlib.suppress(*TRANSIENT):
            message = action_failure_message(action=action, exc=exc, attempts=attempt)
            action_run_fail(task_id=task.request.id, message=message)
        raise exc
    with contextlib.suppress(*TRANSIENT):
        action_run_retrying(
            task_id=task.request.id, error=str(exc).strip(), countdown=countdown, attempt=attempt
        )
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(bind=True, **ACTION_TASK_OPTIONS)
def request_action_task(
    self, request_id: int, action: str, actor_id: int | None = None, reason: str = ""
) -> dict:
    """Take a staff action on a request (see ``request_action_enqueue``)."""
    task_id = self.request.id
    try:
        if action_run_start(task_id=task_id, request_id=request_id, action=action) is None:
            status = ProvisioningRequest.objects.values_list("status", flat=True).get(pk=request_id)
            return {"request_id": request_id, "status": status, "unchanged": True}
        outcome = _run(request_id, action, actor_id, reason)
        action_run_done(task_id=task_id, outcome=outcome)
    except TRANSIENT as exc:
        _retry(self, exc, action=action)
    except REFUSED as exc:
        action_run_fail(task_id=task_id, message=action_failure_message(action=action, exc=exc))
        raise
    return outcome


@shared_task(**TASK_RETRY_OPTIONS)
def request_actions_sweep_task() -> dict:
    """Queue again the staff actions whose worker stopped mid-run (periodic)."""
    return action_runs_sweep()


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


@shared_task(**TASK_RETRY_OPTIONS)
def connectivity_alert_task(report_id: int) -> dict:
    """E-mail ops about a failing connectivity report on a live version, once per version."""
    return {"report_id": report_id, "sent": connectivity_alert_send(report_id=report_id)}
