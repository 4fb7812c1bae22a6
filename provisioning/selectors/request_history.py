"""The one timeline of a request on its admin page: its events (status changes and
changes asked, reviewed, approved or rejected), the staff actions taken on it with where
each stands, and what failed (actions and allocations), in time order."""

from dataclasses import dataclass
from datetime import datetime

from provisioning.choices import ActionRunState, AllocationStatus, RequestAction, RequestStatus
from provisioning.models import ProvisioningRequest

EVENT, ACTION, FAILURE = "event", "action", "failure"
# Entries at the same instant: the action first, then the event it caused, then a failure.
ORDER = {ACTION: 0, EVENT: 1, FAILURE: 2}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    who: str = "system"
    text: str = ""
    change_id: int | None = None
    task_id: str = ""


def _status_label(status: str) -> str:
    return RequestStatus(status).label if status in RequestStatus.values else status


def _event_entries(request: ProvisioningRequest) -> list[TimelineEntry]:
    entries = []
    for event in request.events.select_related("actor"):
        title = _status_label(event.to_status)
        if event.from_status:
            title = f"{_status_label(event.from_status)} \u2192 {title}"
        who = event.actor.get_username() if event.actor else "system"
        entry = TimelineEntry(event.created_at, EVENT, title, who, event.reason, event.change_id)
        entries.append(entry)
    return entries


def _action_entries(request: ProvisioningRequest) -> list[TimelineEntry]:
    entries = []
    for run in request.action_runs.select_related("actor"):
        failed = run.state == ActionRunState.FAILED
        state = dict(ActionRunState.choices).get(run.state, run.state).lower()
        label = dict(RequestAction.choices).get(run.action, run.action)
        entries.append(
            TimelineEntry(
                at=run.finished_at if failed and run.finished_at else run.created_at,
                kind=FAILURE if failed else ACTION,
                title=f"{label} ({state})",
                who=run.actor.get_username() if run.actor else "system",
                text=run.message,
                task_id=run.task_id,
            )
        )
    return entries


def _allocation_failures(request: ProvisioningRequest) -> list[TimelineEntry]:
    failed = request.allocations.filter(status=AllocationStatus.FAILED)
    return [
        TimelineEntry(
            at=allocation.updated_at,
            kind=FAILURE,
            title=f"{allocation.get_kind_display()} set failed",
            text=allocation.error or "No reason was recorded.",
        )
        for allocation in failed
    ]


def request_admin_timeline(*, request: ProvisioningRequest) -> list[TimelineEntry]:
    """Return the request's events, actions and failures, oldest first."""
    entries = _event_entries(request) + _action_entries(request) + _allocation_failures(request)
    return sorted(entries, key=lambda entry: (entry.at, ORDER[entry.kind]))
