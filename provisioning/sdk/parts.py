"""The rendered parts of an app's SDK entry, its static config and its body templates, kept
pickled and compressed inside the entry.

Every request reads its app's entry, but only a body that is not in this process's memo
(``memo``) is rendered from these parts: kept as bytes, they cost a request that doesn't
render nothing to unpickle, and compressed (JSON-like text, about a fifth) little to fetch
from the cache; the request that renders unpacks just the part it uses (the templates when
TURN secrets are set, the static config otherwise).
"""

import pickle
import zlib


def sdk_part_pack(value) -> bytes | None:
    """Return ``value`` as it is kept in an entry (None stays None)."""
    if value is None:
        return None
    return zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _unpack(packed: bytes):
    return pickle.loads(zlib.decompress(packed))


def sdk_entry_static(entry: dict) -> dict | None:
    """Return the entry's static config (None: the app has no live proxy service)."""
    packed = entry.get("static")
    return None if packed is None else _unpack(packed)


def sdk_entry_template(entry: dict, mode: str) -> str | None:
    """Return the entry's pre-rendered answer for ``mode``, if it has one."""
    packed = entry.get("templates")
    return None if packed is None else _unpack(packed).get(mode)
