"""The SDK path's one round trip to the shared cache, and what it does when the cache fails.

``sdk_cache_read`` reads an app's entry, its generations and its throttle counters in one
round trip: with Redis (Django's RedisCache) one pipeline on the raw client, which also
carries the counter increments this process has gathered since its last round trip; with
other backends ``get_many`` (and counters added at once with ``incr``).

Any cache error (refused, timed out: see ``CACHE_SOCKET_TIMEOUT``) makes this process leave
the cache alone for ``SDK_CACHE_RETRY_SECONDS``: meanwhile requests are not throttled and
entries are built from the database, so a dead or hung cache costs one timeout per process
in that time, not one per request.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Counter keys whose increments wait for the next round trip; beyond, new ones are dropped.
PENDING_MAX_KEYS = 10_000


class _State:
    """This process's pending counter increments and when it may try the cache again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, list[int]] = {}  # key -> [increment, timeout]
        self.down_until = 0.0

    def add(self, key: str, timeout: int) -> None:
        with self.lock:
            entry = self.pending.get(key)
            if entry is not None:
                entry[0] += 1
            elif len(self.pending) < PENDING_MAX_KEYS:
                self.pending[key] = [1, timeout]

    def take(self) -> dict[str, list[int]]:
        with self.lock:
            pending, self.pending = self.pending, {}
        return pending

    def pending_count(self, key: str) -> int:
        entry = self.pending.get(key)
        return entry[0] if entry else 0


_state = _State()


def sdk_cache_state_clear() -> None:
    """Forget pending increments and past cache failures (tests)."""
    _state.pending.clear()
    _state.down_until = 0.0


def sdk_cache_available() -> bool:
    """Return whether this process currently uses the cache (see the module's docstring)."""
    return time.monotonic() >= _state.down_until


def _failed(what: str, exc: Exception) -> None:
    _state.down_until = time.monotonic() + settings.SDK_CACHE_RETRY_SECONDS
    logger.warning(
        "SDK cache %s failed, not used for %ss: %s", what, settings.SDK_CACHE_RETRY_SECONDS, exc
    )


def _redis_client(backend: RedisCache):
    """Return the raw client of the backend's first (writable) server, made once."""
    client = backend.__dict__.get("_sdk_client")
    if client is None:
        client = backend.__dict__["_sdk_client"] = backend._cache.get_client(write=True)
    return client


def _redis_read(backend: RedisCache, keys: list[str]) -> dict:
    pipe = _redis_client(backend).pipeline(transaction=False)
    # Our keys are short and plain: make_key, not make_and_validate_key (which warns).
    for key, (delta, timeout) in _state.take().items():
        raw = backend.make_key(key)
        pipe.incrby(raw, delta)
        pipe.expire(raw, timeout)
    pipe.mget([backend.make_key(key) for key in keys])
    values = pipe.execute()[-1]
    loads = backend._cache._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


def sdk_cache_read(*, keys: list[str]) -> dict | None:
    """Return the cached values of ``keys`` (missing keys left out) in one round trip, or
    None when the cache can't be used now."""
    if not sdk_cache_available():
        return None
    backend = caches["default"]
    try:
        if isinstance(backend, RedisCache):
            return _redis_read(backend, keys)
        return backend.get_many(keys)
    except Exception as exc:  # any cache failure: go on without it
        _failed("read", exc)
        return None


def _counter_add(backend, key: str, timeout: int) -> None:
    try:
        backend.incr(key)
    except ValueError:  # first count of the window; another process may have created it
        if not backend.add(key, 1, timeout):
            backend.incr(key)


def sdk_counter_add(*, key: str, timeout: int) -> None:
    """Add one to a counter living ``timeout`` seconds: with Redis in the next round trip,
    otherwise at once."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        _state.add(key, timeout)
        return
    if sdk_cache_available():
        try:
            _counter_add(backend, key, timeout)
        except Exception as exc:  # any cache failure: go on without it
            _failed("counter", exc)


def sdk_counter_pending(key: str) -> int:
    """Return the increments of ``key`` this process has not sent yet."""
    return _state.pending_count(key)


def sdk_cache_call(what: str, method: str, *args, default=None, **kwargs):
    """Call one method of the cache unless it is failing; return ``default`` if it fails."""
    if not sdk_cache_available():
        return default
    try:
        return getattr(caches["default"], method)(*args, **kwargs)
    except Exception as exc:  # any cache failure: go on without it
        _failed(what, exc)
        return default
