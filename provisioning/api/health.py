"""Readiness probe: ``/readyz`` answers 200 only when the database, cache and broker work.

Each check runs in its own thread and the probe waits for all of them until one shared
deadline (``READYZ_TIMEOUT_SECONDS``): a hung broker or cache makes the probe answer 503
in time instead of holding a web worker until the load balancer or gunicorn gives up.
At most one thread per check runs at a time, so hung probes never pile up threads.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"


def _database() -> None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # The probe thread opened its own connection: close it rather than leak it.
        connections.close_all()


def _cache(backend) -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    backend.set(key, "1", 5)
    if backend.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    backend.delete(key)


def _broker(timeout: float) -> None:
    # The project's Celery app (config.celery) is the current one in every process.
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=timeout)


# One thread per check runs at a time. Concurrent probes wait their turn until their own
# deadline; a check whose earlier thread is stuck is reported unavailable, and hung probes
# never pile up threads that all wait on the same dead peer.
_SLOTS = {name: threading.Lock() for name in ("database", "cache", "broker")}


def _probe(name: str, check: Callable[[], None], results: dict, deadline: float) -> None:
    slot = _SLOTS[name]
    if not slot.acquire(timeout=max(0.0, deadline - time.monotonic())):
        logger.warning("Readiness check %s is still busy with an earlier probe", name)
        return
    try:
        check()
        results[name] = OK
    except Exception as exc:  # a probe reports every failure instead of raising it
        logger.warning("Readiness check %s failed: %s", name, exc)
    finally:
        slot.release()


def checks_run(*, checks: dict[str, Callable[[], None]], timeout: float) -> dict[str, str]:
    """Run ``checks`` in parallel; return each one's result as it stood after ``timeout``."""
    results: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    threads = [
        threading.Thread(
            target=_probe,
            args=(name, check, results, deadline),
            name=f"readyz-{name}",
            daemon=True,
        )
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answered = dict(results)  # a check that answers after the deadline no longer counts
    return {name: answered.get(name, UNAVAILABLE) for name in checks}


def readyz(request):
    """Report whether this process can serve: database, cache and broker reachable."""
    timeout = settings.READYZ_TIMEOUT_SECONDS
    # The cache handle is per thread: hand the probe thread this thread's backend.
    backend = caches["default"]
    checks = {"database": _database, "cache": lambda: _cache(backend)}
    # Tasks that run in-process have no broker to reach.
    checks["broker"] = (
        (lambda: None) if settings.CELERY_TASK_ALWAYS_EAGER else (lambda: _broker(timeout))
    )
    results = checks_run(checks=checks, timeout=timeout)
    ready = all(result == OK for result in results.values())
    return JsonResponse(
        {"status": OK if ready else UNAVAILABLE, "checks": results},
        status=200 if ready else 503,
    )
