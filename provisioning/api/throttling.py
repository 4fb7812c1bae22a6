"""Throttle the SDK endpoint per App ID and per client IP with fixed-window counters.

Each request bumps one counter per scope: unlike DRF's sliding log the cost does not grow
with the rate. With a Redis cache the counts hold across processes and reach Redis in
batches; with the in-memory cache they are per process.
"""

import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

from provisioning.sdk.access import APP_ID_RE

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Return ``(requests, seconds)`` of a rate such as ``"600/minute"``."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def _counter_add(cache: BaseCache, key: str, delta: int, timeout: int) -> int:
    """Add ``delta`` to a counter, creating it with ``timeout``; return its new count."""
    try:
        return cache.incr(key, delta)
    except ValueError:
        # First count of the window; another thread or process may have created it meanwhile.
        return delta if cache.add(key, delta, timeout) else cache.incr(key, delta)


class _RedisBatches:
    """Counts kept in Redis, sent in batches: each process adds its own pending requests to
    the last count it read and flushes them at most every ``FLUSH_SECONDS``. A process never
    lets more through than the limit; all processes together may, by what they receive in
    one flush interval, which keeps a busy endpoint to a few Redis round trips a second.
    Threads of a process share the counts; a race may miscount a request, which a throttle
    can afford."""

    FLUSH_SECONDS = 0.05
    MAX_KEYS = 10_000

    def __init__(self):
        # key -> [pending increments, count last read from Redis, monotonic time of flush]
        self.entries: dict[str, list] = {}

    def bump(self, cache: BaseCache, keys: list[tuple[str, int]]) -> list[int]:
        now = time.monotonic()
        if len(self.entries) > self.MAX_KEYS:
            self.entries.clear()  # old windows' keys; at worst a few pending counts are lost
        entries = []
        for key, timeout in keys:
            entry = self.entries.setdefault(key, [0, 0, float("-inf")])
            entry[0] += 1
            entries.append(entry)
            if now - entry[2] >= self.FLUSH_SECONDS:
                count = _counter_add(cache, key, entry[0], timeout)
                entry[:] = [0, count, now]
        return [entry[1] + entry[0] for entry in entries]


_redis_batches = _RedisBatches()


def throttle_batches_clear() -> None:
    """Forget this process's pending and last-read counts (tests)."""
    _redis_batches.entries.clear()


def counters_bump(keys: list[tuple[str, int]]) -> list[int]:
    """Add one to each ``(key, timeout)`` counter, creating it with its timeout; return the
    counts (with Redis: as this process knows them, see _RedisBatches)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return _redis_batches.bump(cache, keys)
    return [_counter_add(cache, key, 1, timeout) for key, timeout in keys]


class SdkThrottled(exceptions.Throttled):
    """Too many requests to the SDK endpoint, told in its own words."""

    def __init__(self, wait: float):
        seconds = math.ceil(wait)
        super().__init__(detail=f"Too many requests; try again in {seconds} seconds.")
        self.wait = seconds


class SdkThrottle(BaseThrottle):
    """Count requests per client address and per (well-formed) App ID; rates come from
    ``DEFAULT_THROTTLE_RATES["sdk_ip"]`` and ``["sdk_app"]``."""

    def idents(self, request) -> dict[str, str]:
        """Return the counted identities of a Django (or DRF) request."""
        idents = {"sdk_ip": self.get_ident(request)}
        app_id = request.GET.get("app_id", "")
        if APP_ID_RE.fullmatch(app_id):
            idents["sdk_app"] = app_id
        return idents

    def allow_request(self, request, view):
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        now = time.time()
        windows = []
        for scope, ident in self.idents(request).items():
            limit, period = parse_rate(rates[scope])
            window = int(now // period)
            key = f"throttle:{scope}:{ident}:{window}"
            windows.append((key, period + 1, limit, (window + 1) * period - now))
        counts = counters_bump([(key, timeout) for key, timeout, _, _ in windows])
        waits = [
            wait
            for (_, _, limit, wait), count in zip(windows, counts, strict=True)
            if count > limit
        ]
        self._wait = max(waits, default=0)
        return not waits

    def wait(self):
        return max(1.0, self._wait)
