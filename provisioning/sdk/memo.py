"""Rendered bodies memoized per process: an answer differs only by app, mode, credential
bucket and the cache entry it was rendered from, so equal requests render once."""

from collections.abc import Callable

# Entries of the per-process memo before it is emptied (each entry is a few KB).
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


_bodies = _Memo(SDK_MEMO_SIZE)


def sdk_memos_clear() -> None:
    """Forget this process's rendered bodies (tests)."""
    _bodies.values.clear()


def sdk_body_memoized(*, key: tuple, render: Callable[[], tuple[bytes, str]]) -> tuple:
    """Return this process's rendered body for ``key``, calling ``render`` on a miss."""
    rendered = _bodies.get(key)
    if rendered is None:
        rendered = _bodies.put(key, render())
    return rendered
