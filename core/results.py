"""Celery's result backend for django-celery-results, tolerant of a database outage.

Celery records a task's state (STARTED, RETRY, SUCCESS ...) around the task body. When
the database is down, a failed write there is "raised outside body": Celery logs it,
acknowledges the message and never runs the task again, even though the task itself
had asked to be retried. Task state is a detail for staff; the work is what matters, so
a failed write is logged and the task's own outcome (its retry, its result) stands.
"""

import logging

from django.db import DatabaseError
from django_celery_results.backends.database import DatabaseBackend

logger = logging.getLogger(__name__)


class TolerantDatabaseBackend(DatabaseBackend):
    """Store task state in the database; log, don't raise, when the database is down."""

    def _store_result(self, task_id, result, status, *args, **kwargs):
        try:
            return super()._store_result(task_id, result, status, *args, **kwargs)
        except DatabaseError as exc:
            logger.warning("Could not record task %s as %s: %s", task_id, status, exc)
            return result
