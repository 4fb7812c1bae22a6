"""The progress panel of a queued request action on the admin request page.

Only tasks queued from the admin in this session, or that a worker has recorded, are
followed: any other id in ``?task=`` is unknown, said at once instead of "waiting" forever.
"""

from django.urls import reverse
from django_celery_results.models import TaskResult

from provisioning.selectors.portal import task_status

SESSION_KEY = "queued_request_tasks"
# Enough for the actions one person queues in a sitting; older ids fall out first.
REMEMBERED_TASKS = 50


def task_remember(*, request, task_id: str) -> None:
    """Note that ``task_id`` was queued from this session, so its page may follow it."""
    queued = [tid for tid in request.session.get(SESSION_KEY, []) if tid != task_id]
    request.session[SESSION_KEY] = [*queued, task_id][-REMEMBERED_TASKS:]


def _is_known(*, request, task_id: str) -> bool:
    if task_id in request.session.get(SESSION_KEY, []):
        return True
    return TaskResult.objects.filter(task_id=task_id).exists()


def task_panel_status(*, request, task_id: str) -> dict:
    """Return the task's state for the panel; an unknown id is ready with an explanation."""
    if _is_known(request=request, task_id=task_id):
        return task_status(task_id=task_id)
    return {
        "task_id": task_id,
        "state": "UNKNOWN",
        "ready": True,
        "result": None,
        "message": "No action was queued with this task id. Start the action again below.",
    }


def task_panel_context(*, request, object_id) -> dict:
    """Return the ``task`` and ``task_url`` of the change page's panel for ``?task=``."""
    task_id = request.GET.get("task", "")
    if not task_id:
        return {"task": None, "task_url": ""}
    task = task_panel_status(request=request, task_id=task_id)
    url = ""
    if task["state"] != "UNKNOWN":
        url = reverse("admin:provisioning_provisioningrequest_task", args=[object_id, task_id])
    return {"task": task, "task_url": url}
