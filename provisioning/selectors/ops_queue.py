"""Reads behind the ops queue: requests waiting on ops, failed actions, test sets about to
end, pools under their low-water mark and customers whose webhook deliveries fail.

Failed actions are read through ``request_action_failures`` only, from the actions' own
runs (``RequestActionRun``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from provisioning.choices import (
    OPEN_REQUEST_STATUSES,
    ActionRunState,
    AllocationKind,
    RequestAction,
    RequestStatus,
)
from provisioning.constants import OPS_QUEUE_EXPIRY_DAYS, OPS_QUEUE_FAILURE_DAYS
from provisioning.models import Allocation, ProvisioningRequest, RequestActionRun
from provisioning.selectors.capacity import (
    Capacity,
    LowWater,
    pools_below_low_water,
    request_capacity,
)
from webhooks.selectors import FailingCustomer, customers_with_failing_deliveries

# What ops do next for a request in each state that waits on them: a submitted request
# gets its test set, one approved but without a production set (its allocation failed)
# gets approved again.
NEXT_OPS_ACTION = {
    RequestStatus.SUBMITTED: RequestAction.ALLOCATE_TEST,
    RequestStatus.PRODUCTION_PENDING: RequestAction.APPROVE,
}
FAILED_STATES = (ActionRunState.FAILED, ActionRunState.RETRYING)


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
        return self.state == ActionRunState.RETRYING


def _last_runs(*, since: datetime) -> dict[tuple[int, str], RequestActionRun]:
    """Return the last run of each (request, action) updated since ``since``."""
    runs = RequestActionRun.objects.filter(updated_at__gte=since).order_by("created_at", "pk")
    return {(run.request_id, run.action): run for run in runs}


def request_action_failures(*, now: datetime) -> list[ActionFailure]:
    """Return the actions on open requests whose last run failed or is being retried,
    within ``OPS_QUEUE_FAILURE_DAYS``, newest first.

    A failure stays listed until the action runs again successfully, or the request moves
    on some other way (its status changed after the failure) or closes.
    """
    last = _last_runs(since=now - timedelta(days=OPS_QUEUE_FAILURE_DAYS))
    failed = {key: run for key, run in last.items() if run.state in FAILED_STATES}
    requests = ProvisioningRequest.objects.select_related("app__customer").in_bulk(
        [request_id for request_id, _ in failed]
    )
    rows = []
    for (request_id, action), run in failed.items():
        request = requests.get(request_id)
        at = run.finished_at or run.updated_at
        if request is None or request.status not in OPEN_REQUEST_STATUSES:
            continue
        if request.status_changed_at and request.status_changed_at > at:
            continue
        rows.append(
            ActionFailure(
                task_id=run.task_id,
                request=request,
                action=RequestAction(action),
                state=run.state,
                message=run.message,
                at=at,
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
    webhook_failures: list[FailingCustomer]

    @property
    def total(self) -> int:
        sections = (self.waiting, self.failures, self.expiring, self.low_pools)
        return sum(len(section) for section in sections) + len(self.webhook_failures)


def ops_queue(*, now: datetime) -> OpsQueue:
    """Return everything on the ops queue now."""
    return OpsQueue(
        waiting=requests_awaiting_ops(),
        failures=request_action_failures(now=now),
        expiring=list(expiring_test_sets(now=now)),
        low_pools=pools_below_low_water(),
        webhook_failures=customers_with_failing_deliveries(
            since=now - timedelta(days=OPS_QUEUE_FAILURE_DAYS)
        ),
    )
