"""Results computed once per rule set document and reused by every format.

A document is immutable (frozen dataclasses and tuples) and every format of a version
renders the same object, so what is derived from it (that it is safe, the rendered files,
what each format must allow) is kept by the document's identity. Each slot keeps the
document itself, so an identity is never mistaken for a later object's, and only the
last few documents, so memory stays bounded.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class DocumentMemo:
    """Values keyed by (document identity, key), for the last ``size`` documents."""

    def __init__(self, size: int):
        self._size = size
        self._slots: OrderedDict[int, tuple[object, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, document, key: Hashable, compute: Callable[[], object]):
        """Return the value of ``key`` for ``document``, computing it the first time."""
        slot = self._slots.get(id(document))
        if slot is not None and slot[0] is document and key in slot[1]:
            return slot[1][key]
        value = compute()
        self.put(document, key, value)
        return value

    def put(self, document, key: Hashable, value) -> None:
        with self._lock:
            slot = self._slots.get(id(document))
            if slot is None or slot[0] is not document:
                slot = (document, {})
                self._slots[id(document)] = slot
            slot[1][key] = value
            self._slots.move_to_end(id(document))
            while len(self._slots) > self._size:
                self._slots.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()
