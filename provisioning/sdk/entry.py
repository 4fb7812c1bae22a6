"""An app's precomputed SDK entry: everything a proxy-config request needs, one cache key.

The entry holds whether the app exists and is enabled, the certificates its app tokens may
be signed with (a list, so a second one can be accepted while the first is rotated out),
its approved concurrency (for the throttle), and its static config for every mode with its
version (see ``render``) and each mode's answer pre-rendered, these two kept pickled and
compressed (see ``parts``). It records the generations it was built at
(``accounts/services/sdk_generations.py``) and is rebuilt from the database when they
change, after ``SDK_CONFIG_CACHE_TIMEOUT``, or when a pending rule-set version takes effect
(``refresh_at``, see ``build``); one process rebuilds while the others keep
serving the previous entry (a short lock). The cache keeps the last entry for
``SDK_CONFIG_STALE_SECONDS``: while the database is unreachable it is served as stale.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

from accounts.services.sdk_generations import ALL_APPS_KEY, app_generation_key
from provisioning.sdk.build import sdk_entries_build, sdk_entry_build
from provisioning.sdk.store import sdk_cache_call

logger = logging.getLogger(__name__)

ENTRY_PREFIX = "sdk-entry:v3"
# An unknown App ID's entry is trusted this long at most (creating the app bumps it anyway).
UNKNOWN_APP_SECONDS = 60
# How long one process may hold an entry's rebuild before another may take over.
REBUILD_LOCK_SECONDS = 5
# How long a request without any entry waits for another process's rebuild.
REBUILD_WAIT_SECONDS = 0.2
DATABASE_ERRORS = (OperationalError, InterfaceError)

_database = {"down_until": 0.0}


def entry_key(app_id: str) -> str:
    return f"{ENTRY_PREFIX}:{app_id}"


def entry_keys(app_id: str) -> list[str]:
    """Return the keys a request reads: the entry, then the generations it must carry."""
    return [entry_key(app_id), ALL_APPS_KEY, app_generation_key(app_id)]


def entry_generations(values: dict, app_id: str) -> tuple:
    return (values.get(ALL_APPS_KEY), values.get(app_generation_key(app_id)))


def entry_fresh(entry: dict | None, generations: tuple, now: float) -> bool:
    """Return whether ``entry`` may be served as current."""
    if entry is None or tuple(entry.get("gen") or ()) != generations:
        return False
    if now >= entry.get("refresh_at", now + 1):  # a pending version takes effect
        return False
    lifetime = settings.SDK_CONFIG_CACHE_TIMEOUT
    if not entry["found"]:
        lifetime = min(lifetime, UNKNOWN_APP_SECONDS)
    return now - entry["built"] < lifetime


def _store(entry: dict) -> dict:
    sdk_cache_call(
        "write", "set", entry_key(entry["app_id"]), entry, settings.SDK_CONFIG_STALE_SECONDS
    )
    return entry


def _wait_for_rebuild(app_id: str, generations: tuple) -> dict | None:
    deadline = time.monotonic() + REBUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        entry = sdk_cache_call("read", "get", entry_key(app_id))
        if entry_fresh(entry, generations, time.time()):
            return entry
    return None


def _rebuild(app_id: str, generations: tuple, previous: dict | None) -> dict:
    lock = f"{entry_key(app_id)}:lock"
    if sdk_cache_call("lock", "add", lock, 1, REBUILD_LOCK_SECONDS, default=True):
        try:
            return _store(sdk_entry_build(app_id=app_id, generations=generations))
        finally:
            sdk_cache_call("unlock", "delete", lock)
    if previous is not None:
        return previous  # another process is rebuilding it; this one is at most seconds old
    waited = _wait_for_rebuild(app_id, generations)
    return waited or sdk_entry_build(app_id=app_id, generations=generations)


def sdk_entry(*, app_id: str, values: dict | None, now: float) -> tuple[dict, bool]:
    """Return the app's entry and whether it is stale, from the cache's ``values`` (None when
    the cache is unavailable) or the database. Raise the database's error when it is
    unreachable and the cache holds no entry for the app."""
    if values is None:
        return sdk_entry_build(app_id=app_id, generations=None), False
    entry = values.get(entry_key(app_id))
    generations = entry_generations(values, app_id)
    if entry_fresh(entry, generations, now):
        return entry, False
    if entry is not None and time.monotonic() < _database["down_until"]:
        return entry, True
    try:
        return _rebuild(app_id, generations, entry), False
    except DATABASE_ERRORS as exc:
        if entry is None:
            raise
        _database["down_until"] = time.monotonic() + settings.SDK_CACHE_RETRY_SECONDS
        logger.warning("Serving a stale SDK entry for %s: %s", app_id, exc)
        return entry, True


def sdk_entry_state_clear() -> None:
    """Forget past database failures (tests)."""
    _database["down_until"] = 0.0


def sdk_entries_warm(*, app_ids: list[str], batch: int = 500) -> int:
    """Build and store the entries of ``app_ids`` (after a deploy or a cache flush), a batch
    at a time; return how many were stored."""
    stored = 0
    for start in range(0, len(app_ids), batch):
        chunk = app_ids[start : start + batch]
        keys = [key for app_id in chunk for key in entry_keys(app_id)[1:]]
        values = sdk_cache_call("read", "get_many", keys, default={})
        generations = {app_id: entry_generations(values, app_id) for app_id in chunk}
        entries = sdk_entries_build(generations=generations)
        timeout = settings.SDK_CONFIG_STALE_SECONDS
        by_key = {entry_key(entry["app_id"]): entry for entry in entries}
        sdk_cache_call("write", "set_many", by_key, timeout)
        stored += len(by_key)
    return stored
