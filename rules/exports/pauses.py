"""Rendering and reading back a large rule set without the cycle collector.

Renderers and readers allocate hundreds of thousands of strings, tuples and small
containers, none of them in reference cycles: reference counting frees them all. Each
allocation burst would still trigger full collections that walk every live object (the
document's entries, the caches), several times the work itself. The collector is paused
for the duration and resumed by the outermost pause, on every thread.
"""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def gc_paused():
    """Pause the cycle collector inside the block; nested and concurrent blocks resume
    it once, when the last one leaves, and only if it was running before the first."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
