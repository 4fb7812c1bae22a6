"""The SDK path's one round trip to the shared cache, and what it does when the cache fails.

``sdk_cache_read`` reads an app's entry, its generations and its throttle counters in one
round trip: with Redis (Django's RedisCache) one pipelined write of ``MGET`` and the counter
increments this process has gathered since its last round trip (setting a counter's
lifetime once per half lifetime, not with every increment), on a connection of this
process (thread) made with the cache's own settings and packed here, as the client's
general pipeline costs more than the rest of a warm answer; with other backends
``get_many`` (and counters added at once with ``incr``).

With Redis the round trip can be sent ahead (``sdk_cache_send``) as soon as a request's keys
are known, so Redis answers while the request goes through its middleware; ``sdk_cache_read``
then reads the replies, or sends afresh if they were sent for other keys, and
``sdk_cache_discard`` drops those of a request refused before it read them, so no reply is
ever read for another request.

Any cache error (refused, timed out: see ``CACHE_SOCKET_TIMEOUT``) makes this process leave
the cache alone for ``SDK_CACHE_RETRY_SECONDS``: meanwhile requests are not throttled and
entries are built from the database, so a dead or hung cache costs one timeout per process
in that time, not one per request.
"""

import logging
import os
import pickle
import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisSerializer

logger = logging.getLogger(__name__)

# Counter keys whose increments wait for the next round trip; beyond, new ones are dropped.
PENDING_MAX_KEYS = 10_000
# Counters whose lifetime this process remembers setting (one per app and window, and per
# failing client): past this, the expired ones are forgotten, or all if most are live.
EXPIRING_MAX_KEYS = 100_000


class _State:
    """This process's pending counter increments, the counters it has recently given their
    lifetime, and when it may try the cache again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, list[int]] = {}  # key -> [increment, timeout]
        self.expiring: dict[str, float] = {}  # key -> until when its lifetime need not be set
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

    def needs_expire(self, key: str, timeout: int, now: float) -> bool:
        """Return whether an increment of ``key`` must set its lifetime again: the first in
        this process, or half a lifetime after this process last set it (a counter this
        process set the lifetime of can't have expired meanwhile)."""
        with self.lock:
            if self.expiring.get(key, 0.0) > now:
                return False
            if len(self.expiring) >= EXPIRING_MAX_KEYS:
                kept = {k: until for k, until in self.expiring.items() if until > now}
                # Pruning again soon would cost each new counter a pass over all of them.
                self.expiring = kept if len(kept) < EXPIRING_MAX_KEYS // 2 else {}
            self.expiring[key] = now + timeout / 2
            return True


_state = _State()


def sdk_cache_state_clear() -> None:
    """Forget pending increments, lifetimes set, past cache failures and a round trip sent
    ahead, closing its connection (tests)."""
    _state.pending.clear()
    _state.expiring.clear()
    _state.down_until = 0.0
    if _local.__dict__.pop("sent", None) is not None:
        _local.connection.disconnect()


def sdk_cache_available() -> bool:
    """Return whether this process currently uses the cache (see the module's docstring)."""
    return time.monotonic() >= _state.down_until


def _failed(what: str, exc: Exception) -> None:
    _state.down_until = time.monotonic() + settings.SDK_CACHE_RETRY_SECONDS
    logger.warning(
        "SDK cache %s failed, not used for %ss: %s", what, settings.SDK_CACHE_RETRY_SECONDS, exc
    )


_local = threading.local()


def _redis_connection(backend: RedisCache):
    """Return this thread's connection to the backend's first (writable) server, made with
    the cache's settings (address, credentials, socket timeouts) and kept across requests;
    a forked process makes its own."""
    if getattr(_local, "owner", None) != (backend, os.getpid()):
        if getattr(_local, "connection", None) is not None:
            _local.connection.disconnect()  # another cache (settings changed) or process
        pool = backend._cache.get_client(write=True).connection_pool
        _local.connection = pool.connection_class(**pool.connection_kwargs)
        _local.owner = (backend, os.getpid())
    return _local.connection


def _packed(*args) -> bytes:
    """Return one command in the Redis protocol (RESP)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else b"%d" % arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _counter_commands(backend: RedisCache, now: float | None = None) -> list[bytes]:
    """Return the commands adding this process's pending increments, each counter's lifetime
    set only where ``_State.needs_expire`` says so (``now``: a monotonic time)."""
    commands = []
    now = time.monotonic() if now is None else now
    for key, (delta, timeout) in _state.take().items():
        raw = backend.make_key(key)
        commands.append(_packed("INCRBY", raw, delta))
        if _state.needs_expire(key, timeout, now):
            commands.append(_packed("EXPIRE", raw, timeout))
    return commands


def _redis_send(backend: RedisCache, keys: list[str]) -> int:
    """Send the pending increments and the ``MGET`` of ``keys``; return how many replies
    will follow."""
    # Our keys are short and plain: make_key, not make_and_validate_key (which warns).
    commands = _counter_commands(backend)
    commands.append(_packed("MGET", *(backend.make_key(key) for key in keys)))
    connection = _redis_connection(backend)
    try:
        connection.send_packed_command([b"".join(commands)], check_health=False)
    except BaseException:
        _connection_lost(connection)
        raise
    return len(commands)


def _redis_replies(connection, count: int) -> list:
    """Read ``count`` replies; return the last (the ``MGET``'s)."""
    try:
        for _ in range(count):
            values = connection.read_response()
    except BaseException:
        _connection_lost(connection)
        raise
    return values


def _connection_lost(connection) -> None:
    connection.disconnect()  # replies may be left unread: start afresh next time
    _state.expiring.clear()  # a lifetime sent may not have been set


def _loads(backend: RedisCache):
    """Return how to read the backend's values: for Django's own serializer, a pickle is
    unpickled without trying ``int`` on it first (the failed ``int`` costs more than
    unpickling an entry); anything else is left to the serializer."""
    serializer = backend._cache._serializer
    if type(serializer) is not RedisSerializer:
        return serializer.loads

    def loads(data: bytes):
        # A pickle of protocol 2 or later starts with PROTO; ints are stored as digits.
        return pickle.loads(data) if data[:1] == b"\x80" else serializer.loads(data)

    return loads


class _Sent(NamedTuple):
    keys: list[str]
    connection: object
    count: int  # replies to read


def _sent_take() -> _Sent | None:
    return _local.__dict__.pop("sent", None)


def _sent_drop(sent: _Sent) -> None:
    """Read and drop the replies of ``sent``, unless this thread has replaced its connection
    since (a changed cache: the replies went with the old one)."""
    if sent.connection is getattr(_local, "connection", None):
        _redis_replies(sent.connection, sent.count)


def _redis_read(backend: RedisCache, keys: list[str]) -> dict:
    sent = _sent_take()
    connection = _redis_connection(backend)
    if sent is not None and (sent.keys != keys or sent.connection is not connection):
        _sent_drop(sent)  # sent for other keys (a window turned meanwhile): send afresh
        sent = None
    count = sent.count if sent is not None else _redis_send(backend, keys)
    values = _redis_replies(connection, count)
    loads = _loads(backend)
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


def sdk_cache_send(*, keys: list[str]) -> None:
    """Send the round trip ``sdk_cache_read(keys=keys)`` will make, so the cache answers
    meanwhile; with other backends than Redis, or while the cache can't be used, nothing.
    Pair it with ``sdk_cache_discard`` once the request is answered."""
    if not sdk_cache_available():
        return
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return
    sdk_cache_discard()  # one round trip ahead at a time
    try:
        count = _redis_send(backend, keys)
        _local.sent = _Sent(keys, _redis_connection(backend), count)
    except Exception as exc:  # any cache failure: go on without it
        _failed("read", exc)


def sdk_cache_discard() -> None:
    """Read and drop the replies of a round trip sent ahead that no ``sdk_cache_read``
    took (its request was refused first), so the next request reads its own."""
    sent = _sent_take()
    if sent is None:
        return
    try:
        _sent_drop(sent)
    except Exception as exc:  # any cache failure: go on without it
        _failed("read", exc)


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
