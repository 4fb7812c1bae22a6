"""The SDK path's three cache layers and their keys.

The per-app static part (servers, TURN URLs, version) is kept in Django's cache under a key
made of the app's live-endpoint fingerprint and latest rule-set version, so any change to
its live allocations yields a new key and the old entry is never served again. Rendered
bodies are memoized per process under the same key plus the credential expiry bucket; app
rows may be reused for ``SDK_APP_CACHE_SECONDS`` (then a warm request makes no query).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from provisioning.sdk.queries import sdk_app_endpoints, sdk_app_row
from provisioning.sdk.render import sdk_static_config_render

CACHE_KEY_PREFIX = "sdk-config:v1"
# Entries of the per-process memos before they are emptied (each entry is a few KB).
SDK_MEMO_SIZE = 4096


class _Memo:
    """A small per-process map with a size bound, for values that are correct by key."""

    def __init__(self, size: int):
        self.size = size
        self.values: dict = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value):
        if len(self.values) >= self.size:
            self.values.clear()
        self.values[key] = value
        return value


# Rendered bodies, keyed by everything they depend on (the key carries the live-set
# fingerprint and the expiry bucket, so an entry is never stale).
_bodies = _Memo(SDK_MEMO_SIZE)
# App rows reused for SDK_APP_CACHE_SECONDS: the one price of skipping the query is that a
# change to the app (status, certificate, live set) shows within that time.
_rows = _Memo(SDK_MEMO_SIZE)


def sdk_memos_clear() -> None:
    """Forget this process's reused app rows and rendered bodies (tests, after a deploy)."""
    _bodies.values.clear()
    _rows.values.clear()


def sdk_static_key(*, row: dict) -> str:
    """Return the cache key of the app's static config: it changes with anything the static
    config depends on (live set, rule-set version, TURN ports)."""
    cached = row.get("static_key")
    if cached:
        return cached
    parts = (CACHE_KEY_PREFIX, row["pk"], row["app_id"], row["live_fingerprint"])
    parts += (row.get("rule_version"),)
    return ":".join(map(str, (*parts, settings.TURN_UDP_PORT, settings.TURN_TCP_PORT)))


def sdk_static_config_cached(*, key: str, row: dict) -> dict | None:
    """Return the app's static config from the cache, rendering and storing it on a miss."""
    static = cache.get(key)
    if static is None:
        endpoints = sdk_app_endpoints(app_pk=row["pk"])
        static = sdk_static_config_render(endpoints=endpoints, rule_version=row.get("rule_version"))
        cache.set(key, static, settings.SDK_CONFIG_CACHE_TIMEOUT)
    return static


def sdk_app_row_recent(*, app_id: str) -> dict | None:
    """Return the app's row, reused from this process for ``SDK_APP_CACHE_SECONDS``."""
    ttl = settings.SDK_APP_CACHE_SECONDS
    if ttl <= 0:
        return sdk_app_row(app_id=app_id)
    now = time.monotonic()
    hit = _rows.get(app_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = sdk_app_row(app_id=app_id)
    if row is not None:
        row["static_key"] = sdk_static_key(row=row)
    return _rows.put(app_id, (now + ttl, row))[1]


def sdk_body_memoized(*, key: tuple, render: Callable[[], tuple[bytes, str]]) -> tuple:
    """Return this process's rendered body for ``key``, calling ``render`` on a miss."""
    rendered = _bodies.get(key)
    if rendered is None:
        rendered = _bodies.put(key, render())
    return rendered
