"""Queue Celery tasks by name once the current transaction commits.

Code that queues work names the task instead of importing it, so services never import
the task modules that call them.
"""

import uuid

from celery import current_app
from celery.exceptions import NotRegistered
from django.db import InterfaceError, OperationalError, transaction

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


def _registered_task(task_name: str):
    """Return the task registered as ``task_name``, importing the apps' task modules first
    when this process has not loaded them yet (a web process imports none by itself)."""
    try:
        return current_app.tasks[task_name]
    except NotRegistered:
        current_app.loader.import_default_modules()
        return current_app.tasks[task_name]


def task_send(*, task_name: str, kwargs: dict, task_id: str) -> None:
    """Send the task registered as ``task_name`` to the broker or, with none configured,
    run it in-process.

    In-process runs store their result, failures included, as a worker would, instead
    of raising into the code that queued them.
    """
    task = _registered_task(task_name)
    if task.app.conf.task_always_eager:
        task.apply(kwargs=kwargs, task_id=task_id, throw=False)
    else:
        task.apply_async(kwargs=kwargs, task_id=task_id)


def enqueue_on_commit(task_name: str, *, kwargs: dict, task_id: str | None = None) -> str:
    """Queue the task registered as ``task_name`` when the current transaction commits
    (at once outside one) and return its id.

    A failure to send is logged and does not undo the committed work (``robust``).
    """
    task_id = task_id or str(uuid.uuid4())

    def send() -> None:
        task_send(task_name=task_name, kwargs=kwargs, task_id=task_id)

    transaction.on_commit(send, robust=True)
    return task_id
