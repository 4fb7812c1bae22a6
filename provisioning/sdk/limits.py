"""The SDK endpoint's throttles: fixed-window counters in the shared cache.

- ``sdk_fail`` (per App ID and client address) and ``sdk_ip`` (per client address) count
  failed attempts only: unknown or disabled apps, missing or bad app tokens. Past either
  limit a client gets 429 for that window before anything else is checked, so guessing
  tokens or App IDs from a few addresses stops there, and it stops only those addresses.
- ``sdk_app`` (per App ID) counts requests that passed: a valid app token, or for an app
  without a certificate any request for it. Its limit grows with the app's approved
  concurrency (``SDK_THROTTLE_APP_PER_USER`` requests a minute per concurrent user), never
  below the ``sdk_app`` rate; strangers can't spend it.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (see README, Configuration).
"""

import functools
import math
from typing import NamedTuple

from django.conf import settings

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY_PREFIX = "sdk-throttle:v2"
# Rates of scopes the settings leave out (settings.py sets all three from the environment).
DEFAULT_RATES = {"sdk_app": "600/minute", "sdk_fail": "60/minute", "sdk_ip": "600/minute"}


@functools.lru_cache(maxsize=64)  # a handful of rates, parsed on every request otherwise
def parse_rate(rate: str) -> tuple[int, int]:
    """Return ``(requests, seconds)`` of a rate such as ``"600/minute"``."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class Window(NamedTuple):
    # A tuple: every request makes three, and a frozen dataclass costs more than the rest
    # of the throttle's work.
    key: str
    limit: int
    period: int
    wait: float

    @property
    def timeout(self) -> int:
        return self.period + 1


def _window(rates: dict, scope: str, ident: str, now: float) -> Window:
    limit, period = parse_rate(rates.get(scope) or DEFAULT_RATES[scope])
    number = int(now // period)
    key = f"{KEY_PREFIX}:{scope}:{ident}:{number}"
    return Window(key, limit, period, (number + 1) * period - now)


def sdk_windows(*, app_id: str, client_ip: str, now: float) -> dict[str, Window]:
    """Return the throttle windows a request for ``app_id`` from ``client_ip`` counts in."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}
    return {
        "sdk_fail": _window(rates, "sdk_fail", f"{app_id}:{client_ip}", now),
        "sdk_ip": _window(rates, "sdk_ip", client_ip, now),
        "sdk_app": _window(rates, "sdk_app", app_id, now),
    }


def sdk_app_limit(*, window: Window, concurrency: int) -> int:
    """Return the per-App limit of ``window`` for an app approved for ``concurrency``."""
    per_user = settings.SDK_THROTTLE_APP_PER_USER * concurrency * window.period / 60
    return max(window.limit, math.ceil(per_user))
