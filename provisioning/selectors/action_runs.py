"""Where a queued task stands, for staff: a staff action from its ``RequestActionRun``
and the outbox, any other task from Celery's result backend."""

import json

from celery import states
from django_celery_results.models import TaskResult

from core.choices import OutboxStatus
from core.models import OutboxMessage
from provisioning.choices import FINISHED_ACTION_RUN_STATES, ActionRunState, RequestStatus
from provisioning.models import RequestActionRun

State = ActionRunState
# The state shown for a run accepted and sent to the task queue (stored as accepted).
QUEUED = "queued"
LABELS = {
    State.ACCEPTED: "Accepted, waiting for the task queue",
    QUEUED: "Queued, waiting for a worker",
    State.RUNNING: "Running…",
    State.RETRYING: "Retrying…",
    State.DONE: "Done",
    State.FAILED: "Failed",
}
# Celery's name of each state, for API clients that poll as they would poll Celery.
CELERY_STATUS = {
    State.ACCEPTED: states.PENDING,
    QUEUED: states.PENDING,
    State.RUNNING: states.STARTED,
    State.RETRYING: states.RETRY,
    State.DONE: states.SUCCESS,
    State.FAILED: states.FAILURE,
}
FROM_CELERY = {
    states.PENDING: QUEUED,
    states.RECEIVED: QUEUED,
    states.STARTED: State.RUNNING,
    states.RETRY: State.RETRYING,
    states.SUCCESS: State.DONE,
    states.FAILURE: State.FAILED,
}


def outcome_message(outcome: dict) -> str:
    """Return a finished action's outcome in words, e.g. "Request #3 is now active."."""
    label = RequestStatus(outcome["status"]).label.lower()
    already = " (nothing to do: already done)" if outcome.get("unchanged") else ""
    return f"Request #{outcome.get('request_id')} is now {label}{already}."


def _accepted_message(task_id: str) -> tuple[str, str]:
    """Return the shown state and message of a run not yet taken by a worker."""
    rows = OutboxMessage.objects.filter(task_id=task_id)
    if rows.filter(status=OutboxStatus.SENT).exists():
        return QUEUED, "On the task queue, waiting for a worker."
    pending = rows.filter(status=OutboxStatus.PENDING).order_by("-pk").first()
    if pending is not None and pending.attempts:
        return State.ACCEPTED, (
            "Accepted, waiting for the task queue: it is unavailable, and the task is "
            f"sent as soon as it is back ({pending.attempts} tries so far)."
        )
    return State.ACCEPTED, "Accepted, waiting for the task queue."


def _run_progress(run: RequestActionRun) -> dict:
    state, message = run.state, run.message
    if state == State.ACCEPTED:
        state, message = _accepted_message(run.task_id)
    return {
        "task_id": run.task_id,
        "task_name": "provisioning.tasks.request_action_task",
        "status": CELERY_STATUS[state],
        "state": state,
        "label": LABELS[state],
        "ready": run.state in FINISHED_ACTION_RUN_STATES,
        "message": message,
        "result": run.outcome,
        "attempts": run.attempts,
        "date_created": run.created_at,
        "date_done": run.finished_at,
    }


def _celery_message(status: str, outcome) -> str:
    if status == states.FAILURE:
        if isinstance(outcome, dict):
            outcome = outcome.get("exc_message") or outcome.get("exc_type")
        if isinstance(outcome, list | tuple):
            outcome = " ".join(map(str, outcome))
        what = f": {str(outcome).rstrip('.')}" if outcome else ""
        return (
            f"The task failed{what}. Its traceback is under Task results in the admin; "
            "correct the cause, then run it again."
        )
    if isinstance(outcome, dict) and "status" in outcome:
        return outcome_message(outcome)
    return "" if outcome is None else str(outcome)


def _result_progress(result: TaskResult) -> dict:
    try:
        outcome = json.loads(result.result) if result.result else None
    except ValueError:
        outcome = result.result
    state = FROM_CELERY.get(result.status, result.status.lower())
    return {
        "task_id": result.task_id,
        "task_name": result.task_name,
        "status": result.status,
        "state": state,
        "label": LABELS.get(state, result.status.title()),
        "ready": result.status in states.READY_STATES,
        "message": _celery_message(result.status, outcome),
        "result": outcome,
        "attempts": None,
        "date_created": result.date_created,
        "date_done": result.date_done,
    }


def task_progress(*, task_id: str) -> dict | None:
    """Return where task ``task_id`` stands, or None when nothing is known of it."""
    run = RequestActionRun.objects.filter(task_id=task_id).first()
    if run is not None:
        return _run_progress(run)
    result = TaskResult.objects.filter(task_id=task_id).first()
    if result is not None:
        return _result_progress(result)
    return None
