"""Reads behind the ops queue: requests waiting on ops, failed actions, test sets about to
end and pools under their low-water mark.

Failed actions are read through ``request_action_failures`` only, so where action runs are
recorded (today Celery's task results) can change without touching the page.
"""

import ast
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import states
from django.db.models import QuerySet
from django_celery_results.models import TaskResult

from provisioning.choices import (
    OPEN_REQUEST_STATUSES,
    AllocationKind,
    RequestAction,
    RequestStatus,
)
from provisioning.constants import (
    OPS_QUEUE_EXPIRY_DAYS,
    OPS_QUEUE_FAILURE_DAYS,
    REQUEST_ACTION_TASK,
)
from provisioning.models import Allocation, ProvisioningRequest
from provisioning.selectors.capacity import (
    Capacity,
    LowWater,
    pools_below_low_water,
    request_capacity,
)
from provisioning.selectors.portal import task_status

# What ops do next for a request in each state that waits on them: a submitted request
# gets its test set, one approved but without a production set (its allocation failed)
# gets approved again.
NEXT_OPS_ACTION = {
    RequestStatus.SUBMITTED: RequestAction.ALLOCATE_TEST,
    RequestStatus.PRODUCTION_PENDING: RequestAction.APPROVE,
}
FAILED_STATES = (states.FAILURE, states.RETRY)


@dataclass(frozen=True)
class WaitingRequest:
    """A request waiting on ops, the action it waits for and whether the pools allow it."""

    request: ProvisioningRequest
    action: RequestAction
    capacity: Capacity | None


def requests_awaiting_ops(*, usage_cache: dict | None = None) -> list[WaitingRequest]:
    """Return the requests waiting on ops, longest-waiting first."""
    usage_cache = {} if usage_cache is None else usage_cache
    waiting = (
        ProvisioningRequest.objects.filter(status__in=list(NEXT_OPS_ACTION))
        .select_related("app__customer")
        .prefetch_related("regions", "isps")
        .order_by("status_changed_at", "pk")
    )
    rows = []
    for request in waiting:
        action = NEXT_OPS_ACTION[request.status]
        capacity = request_capacity(request=request, action=action, usage_cache=usage_cache)
        rows.append(WaitingRequest(request=request, action=action, capacity=capacity))
    return rows


@dataclass(frozen=True)
class ActionFailure:
    """An action on a request whose last run failed, or is being retried."""

    task_id: str
    request: ProvisioningRequest
    action: RequestAction
    state: str
    message: str
    at: datetime

    @property
    def retrying(self) -> bool:
        return self.state == states.RETRY


def _kwargs(raw: str | None) -> dict:
    """Return a task result's keyword arguments: stored as JSON, of a dict or of its repr."""
    try:
        value = json.loads(raw) if raw else {}
        if isinstance(value, str):
            value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return {}
    return value if isinstance(value, dict) else {}


def _last_runs(*, since: datetime) -> dict[tuple[int, str], TaskResult]:
    """Return the last run of each (request, action) recorded since ``since``."""
    results = TaskResult.objects.filter(task_name=REQUEST_ACTION_TASK, date_done__gte=since)
    last: dict[tuple[int, str], TaskResult] = {}
    for result in results.order_by("date_done", "pk"):
        kwargs = _kwargs(result.task_kwargs)
        if (
            isinstance(kwargs.get("request_id"), int)
            and kwargs.get("action") in RequestAction.values
        ):
            last[(kwargs["request_id"], kwargs["action"])] = result
    return last


def request_action_failures(*, now: datetime) -> list[ActionFailure]:
    """Return the actions on open requests whose last run failed or is being retried,
    within ``OPS_QUEUE_FAILURE_DAYS``, newest first.

    A failure stays listed until the action runs again successfully, or the request moves
    on some other way (its status changed after the failure) or closes.
    """
    last = _last_runs(since=now - timedelta(days=OPS_QUEUE_FAILURE_DAYS))
    failed = {key: result for key, result in last.items() if result.status in FAILED_STATES}
    requests = ProvisioningRequest.objects.select_related("app__customer").in_bulk(
        [request_id for request_id, _ in failed]
    )
    rows = []
    for (request_id, action), result in failed.items():
        request = requests.get(request_id)
        if request is None or request.status not in OPEN_REQUEST_STATUSES:
            continue
        if request.status_changed_at and request.status_changed_at > result.date_done:
            continue
        rows.append(
            ActionFailure(
                task_id=result.task_id,
                request=request,
                action=RequestAction(action),
                state=result.status,
                message=task_status(task_id=result.task_id)["message"],
                at=result.date_done,
            )
        )
    return sorted(rows, key=lambda row: row.at, reverse=True)


def expiring_test_sets(*, now: datetime) -> QuerySet[Allocation]:
    """Return the live test sets that end within ``OPS_QUEUE_EXPIRY_DAYS``, soonest first."""
    return (
        Allocation.objects.live()
        .filter(
            kind=AllocationKind.TEST,
            expires_at__isnull=False,
            expires_at__lte=now + timedelta(days=OPS_QUEUE_EXPIRY_DAYS),
        )
        .select_related("request__app__customer")
        .order_by("expires_at", "pk")
    )


@dataclass(frozen=True)
class OpsQueue:
    waiting: list[WaitingRequest]
    failures: list[ActionFailure]
    expiring: list[Allocation]
    low_pools: list[LowWater]

    @property
    def total(self) -> int:
        return len(self.waiting) + len(self.failures) + len(self.expiring) + len(self.low_pools)


def ops_queue(*, now: datetime) -> OpsQueue:
    """Return everything on the ops queue now."""
    return OpsQueue(
        waiting=requests_awaiting_ops(),
        failures=request_action_failures(now=now),
        expiring=list(expiring_test_sets(now=now)),
        low_pools=pools_below_low_water(),
    )
