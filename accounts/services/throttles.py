"""Count attempts per key in the cache, to slow down what an attacker would repeat."""

import hashlib

from django.core.cache import cache

HOUR = 3600


def _cache_key(scope: str, key: str) -> str:
    # Hashed: e-mail addresses and client addresses stay out of the cache's key space.
    return f"throttle:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def attempt_allowed(*, scope: str, key: str, limit: int, period: int = HOUR) -> bool:
    """Count one attempt for ``key`` and return whether it is within ``limit`` per ``period``."""
    cache_key = _cache_key(scope, key)
    if cache.add(cache_key, 1, timeout=period):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=period)
        return True
    return count <= limit
