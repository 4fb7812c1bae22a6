"""Per-process memos of the SDK path, each correct by its key.

- Rendered bodies: an answer differs only by app, mode, credential bucket and the cache
  entry it was rendered from, so equal requests render once.
- Entry heads: every request reads its app's cache entry, and unpickling the entry's
  rendered parts (static config, body templates) costs more than the rest of a warm
  answer. The other values (status, certificates, generations, ...) are kept per cache key
  with the length and hash of the bytes they came from; the rendered parts are unpickled
  only when a body has to be rendered (``LazyEntry``).

Both memos drop their oldest entries when full, never all at once.
"""

from collections.abc import Callable

# Bodies kept per process (a body is a few KB): every app of a large deployment in one
# mode, so a busy process renders each app's answer once per credential bucket.
SDK_MEMO_SIZE = 20_000
# Entry heads kept per process (a head is well under 1 KB).
SDK_HEADS_SIZE = 50_000
# The values of an entry unpickled only when a body is rendered from them.
RENDERED_PARTS = frozenset({"static", "templates"})


class _Memo:
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


_bodies = _Memo(SDK_MEMO_SIZE)
_heads = _Memo(SDK_HEADS_SIZE)


def sdk_memos_clear() -> None:
    """Forget this process's rendered bodies and entry heads (tests)."""
    _bodies.values.clear()
    _heads.values.clear()


def sdk_body_memoized(*, key: tuple, render: Callable[[], tuple[bytes, str]]) -> tuple:
    """Return this process's rendered body for ``key``, calling ``render`` on a miss."""
    rendered = _bodies.get(key)
    if rendered is None:
        rendered = _bodies.put(key, render())
    return rendered


class LazyEntry(dict):
    """An app's cache entry whose rendered parts are unpickled from the cached bytes on
    first use; anything that reads the whole entry (iteration, copies, pickling) gets all
    of it."""

    def __init__(self, head, present: tuple, raw: bytes, loads: Callable):
        super().__init__(head)  # a dict or (name, value) pairs
        self.present = present  # the rendered parts that are not None
        self._raw = raw
        self._loads = loads

    def _load(self) -> "LazyEntry":
        if self._raw is not None:
            raw, self._raw = self._raw, None
            dict.update(self, self._loads(raw))
        return self

    # The head holds every other value, so only a rendered part can be missing from it.
    def __missing__(self, key):
        if key in RENDERED_PARTS and dict.__contains__(self._load(), key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key, default=None):
        if key in RENDERED_PARTS and not dict.__contains__(self, key):
            self._load()
        return dict.get(self, key, default)

    def __contains__(self, key):
        if dict.__contains__(self, key):
            return True
        return key in RENDERED_PARTS and dict.__contains__(self._load(), key)

    def __iter__(self):
        return dict.__iter__(self._load())

    def __len__(self):
        return dict.__len__(self._load())

    def __eq__(self, other):
        return dict.__eq__(self._load(), other)

    __hash__ = None

    def keys(self):
        return dict.keys(self._load())

    def values(self):
        return dict.values(self._load())

    def items(self):
        return dict.items(self._load())

    def copy(self) -> dict:
        return dict(self.items())

    def __reduce__(self):
        return (dict, (self.copy(),))


def _head(value: dict) -> tuple[tuple, tuple]:
    """Return the small values of an entry as (name, value) pairs and the names of the
    rendered parts it holds, all tuples of immutable values (lists become tuples): the
    garbage collector, which a worker holding every app's head runs again and again, stops
    tracking such tuples."""
    head = tuple(
        (name, tuple(part) if type(part) is list else part)
        for name, part in value.items()
        if name not in RENDERED_PARTS
    )
    present = tuple(sorted(name for name in RENDERED_PARTS if value.get(name) is not None))
    return head, present


def sdk_entry_loads(key: str, raw: bytes, loads: Callable[[bytes], object]):
    """Return the cached value of entry ``key`` from its bytes: a LazyEntry on this
    process's head of the same bytes, or unpickled (and its head kept) otherwise."""
    fingerprint = (len(raw), hash(raw))
    known = _heads.get(key)
    if known is not None and known[0] == fingerprint:
        return LazyEntry(known[1], known[2], raw, loads)
    value = loads(raw)
    if isinstance(value, dict):
        _heads.put(key, (fingerprint, *_head(value)))
    return value


def sdk_entry_has(entry: dict, name: str) -> bool:
    """Return whether ``entry`` holds a value (not None) for ``name``, without unpickling
    its rendered parts."""
    if isinstance(entry, LazyEntry):
        return name in entry.present
    return entry.get(name) is not None
