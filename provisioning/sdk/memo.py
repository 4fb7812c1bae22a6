"""The SDK path's per-process memos, bounded: when full they drop their oldest values, never
all at once. The memo of rendered bodies lives here: an answer differs only by app, mode,
credential bucket and the cache entry it was rendered from, so equal requests render once.
"""

from collections.abc import Callable

# Bodies kept per process (a body is a few KB): every app of a large deployment (20,000) in
# one mode and room to spare (the oldest go first), so a busy process renders each app's
# answer once per credential bucket.
SDK_MEMO_SIZE = 30_000


class BoundedMemo:
    """A per-process map with a size bound, for values that are correct by key; when full,
    the oldest eighth goes."""

    def __init__(self, size: int):
        self.size = size
        self.values: dict = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value):
        if len(self.values) >= self.size:
            for old in list(self.values)[: max(1, self.size // 8)]:
                del self.values[old]
        self.values[key] = value
        return value


_bodies = BoundedMemo(SDK_MEMO_SIZE)


def sdk_memos_clear() -> None:
    """Forget this process's rendered bodies (tests)."""
    _bodies.values.clear()


def sdk_body_memoized(*, key: tuple, render: Callable[[], tuple[bytes, str]]) -> tuple:
    """Return this process's rendered body for ``key``, calling ``render`` on a miss."""
    rendered = _bodies.get(key)
    if rendered is None:
        rendered = _bodies.put(key, render())
    return rendered
