"""The progress panel of a queued request action on the admin request page.

It reads the action's run (``RequestActionRun``): "accepted, waiting for the task queue"
until the task is on the queue, then queued, running, retrying, done or failed. An id
that no action or task has is unknown, said at once instead of "waiting" forever.
"""

from django.urls import reverse

from provisioning.selectors.action_runs import task_progress

UNKNOWN = "unknown"


def task_panel_status(*, task_id: str) -> dict:
    """Return the task's state for the panel; an unknown id is ready with an explanation."""
    progress = task_progress(task_id=task_id)
    if progress is None:
        return {
            "task_id": task_id,
            "state": UNKNOWN,
            "label": "Unknown",
            "ready": True,
            "result": None,
            "message": "No action was queued with this task id. Start the action again below.",
        }
    return {
        key: progress[key] for key in ("task_id", "state", "label", "ready", "result", "message")
    }


def task_panel_context(*, request, object_id) -> dict:
    """Return the ``task`` and ``task_url`` of the change page's panel for ``?task=``."""
    task_id = request.GET.get("task", "")
    if not task_id:
        return {"task": None, "task_url": ""}
    task = task_panel_status(task_id=task_id)
    url = ""
    if task["state"] != UNKNOWN:
        url = reverse("admin:provisioning_provisioningrequest_task", args=[object_id, task_id])
    return {"task": task, "task_url": url}
