"""Generations of what the SDK endpoint serves, kept in the shared cache.

Every web process keeps an app's proxy-config entry in the cache (see
``provisioning/sdk/entry.py``) with the generations it was built at. A change to anything
the entry holds (the app's status or certificates, its customer's status, its requests,
allocations and endpoints, pools, regions or ISPs) gives the app, or every app, a new
generation; the next SDK request sees the mismatch and rebuilds the entry from the database.

Generations are random tokens rather than counters, so a lost key (evicted, or a flushed
cache) never makes an old entry look current again. Bumps happen at once and again when the
surrounding transaction commits, so a rebuild that read the data before the commit is not
trusted either. A cache outage can't fail the write that changed the data: the bump is
logged and the entry is rebuilt after ``SDK_CONFIG_CACHE_TIMEOUT`` at the latest.
"""

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_PREFIX = "sdk-gen:v1"
ALL_APPS_KEY = f"{GENERATION_PREFIX}:all"


def app_generation_key(app_id: str) -> str:
    """Return the cache key of one app's generation."""
    return f"{GENERATION_PREFIX}:app:{app_id}"


def generation_timeout() -> int:
    """Generations outlive the entries that carry them (see SDK_CONFIG_STALE_SECONDS)."""
    return settings.SDK_CONFIG_STALE_SECONDS + settings.SDK_CONFIG_CACHE_TIMEOUT


def _bump(keys: list[str]) -> None:
    token = uuid.uuid4().hex[:16]
    try:
        cache.set_many(dict.fromkeys(keys, token), generation_timeout())
    except Exception as exc:  # a cache outage must not fail the change that was made
        logger.warning("Could not bump SDK config generations %s: %s", keys[:3], exc)


def sdk_config_changed(*, app_ids: Iterable[str] = (), all_apps: bool = False) -> None:
    """Tell the SDK endpoint that what it serves for ``app_ids`` (or for every app) changed:
    now, and again once the current transaction commits."""
    keys = [app_generation_key(app_id) for app_id in dict.fromkeys(app_ids)]
    if all_apps:
        keys.append(ALL_APPS_KEY)
    if not keys:
        return
    _bump(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(keys))
