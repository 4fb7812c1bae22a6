"""An app's proxy config as the SDK endpoint serves it: throttled, checked, then rendered
from the app's cache entry.

A warm request is one cache round trip (entry, generations and throttle counters) and no
database query, sent as soon as the request arrives (``sdk_proxy_config_send``); see
``entry`` for misses and outages and ``limits`` for the throttles.
"""

import time
from dataclasses import dataclass

from django.conf import settings

from provisioning.choices import SdkMode
from provisioning.exceptions import SdkConfigError, SdkThrottled
from provisioning.sdk.access import APP_ID_RE, sdk_app_check, sdk_app_id_check
from provisioning.sdk.entry import entry_keys, sdk_entry
from provisioning.sdk.limits import Window, sdk_app_limit, sdk_windows
from provisioning.sdk.memo import sdk_body_memoized
from provisioning.sdk.parts import sdk_entry_static, sdk_entry_template
from provisioning.sdk.render import sdk_body_fill, sdk_body_render, sdk_max_age
from provisioning.sdk.store import (
    sdk_cache_discard,
    sdk_cache_read,
    sdk_cache_send,
    sdk_counter_add,
    sdk_counter_pending,
)
from provisioning.services.turn import turn_credential_expiry

NO_PROXY_SERVICE = "This app has no live proxy service (test or production)."
# The choices' values, computed once (``SdkMode.values`` builds a list on every call).
SDK_MODES = frozenset(SdkMode.values)


@dataclass(frozen=True)
class ProxyConfig:
    content: bytes
    etag: str
    max_age: int
    # Served from the last entry the cache holds while the database can't be reached.
    stale: bool = False


def _count(values: dict, window: Window) -> int:
    return int(values.get(window.key) or 0) + sdk_counter_pending(window.key)


def _check_failures(values: dict, windows: dict[str, Window]) -> None:
    over = [
        w.wait for w in (windows["sdk_fail"], windows["sdk_ip"]) if _count(values, w) >= w.limit
    ]
    if over:
        raise SdkThrottled(max(over))


def _spend_budget(values: dict, window: Window, entry: dict) -> None:
    limit = sdk_app_limit(window=window, concurrency=entry.get("concurrency") or 0)
    if _count(values, window) + 1 > limit:
        raise SdkThrottled(window.wait)
    sdk_counter_add(key=window.key, timeout=window.timeout)


def _read_keys(app_id: str, windows: dict[str, Window]) -> list[str]:
    return [*entry_keys(app_id), *(w.key for w in windows.values())]


def sdk_proxy_config_send(*, app_id: str, client_ip: str = "") -> None:
    """Send the cache round trip a request for ``app_id`` from ``client_ip`` will read (see
    ``store.sdk_cache_send``), before the request's middleware run; nothing for a malformed
    App ID. End the request with ``sdk_proxy_config_done``."""
    if isinstance(app_id, str) and APP_ID_RE.fullmatch(app_id):
        windows = sdk_windows(app_id=app_id, client_ip=client_ip, now=time.time())
        sdk_cache_send(keys=_read_keys(app_id, windows))


def sdk_proxy_config_done() -> None:
    """Drop a round trip sent ahead that the request did not read (it was refused first)."""
    sdk_cache_discard()


def _checked_entry(app_id: str, authorization: str, client_ip: str, now: float):
    windows = sdk_windows(app_id=app_id, client_ip=client_ip, now=now)
    values = sdk_cache_read(keys=_read_keys(app_id, windows))
    if values is not None:
        _check_failures(values, windows)
    entry, stale = sdk_entry(app_id=app_id, values=values, now=now)
    try:
        sdk_app_check(entry=entry, authorization=authorization)
    except SdkConfigError:
        if values is not None:
            for scope in ("sdk_fail", "sdk_ip"):
                sdk_counter_add(key=windows[scope].key, timeout=windows[scope].timeout)
        raise
    if values is not None:
        _spend_budget(values, windows["sdk_app"], entry)
    return entry, stale


def sdk_proxy_config(
    *, app_id: str, mode: str, authorization: str = "", client_ip: str = ""
) -> ProxyConfig:
    """Return the proxy config of ``app_id`` for ``mode`` with TURN credentials, or raise
    SdkConfigError with the contract's error code (SdkThrottled past a limit)."""
    sdk_app_id_check(app_id)
    now = time.time()
    entry, stale = _checked_entry(app_id, authorization, client_ip, now)
    if mode not in SDK_MODES:
        raise SdkConfigError(
            "invalid_mode", f"mode is one of {', '.join(SdkMode.values)}, not {mode!r}."
        )
    if entry.get("static") is None:
        raise SdkConfigError("no_proxy_service", NO_PROXY_SERVICE)
    expires_at = turn_credential_expiry(now=now)
    secrets = tuple(settings.TURN_SHARED_SECRETS[:1])

    def render() -> tuple[bytes, str]:
        # The rendered parts are unpacked only here: most answers come from the memo.
        template = sdk_entry_template(entry, mode) if secrets else None
        if template:
            return sdk_body_fill(template=template, app_id=app_id, expires_at=expires_at)
        static = sdk_entry_static(entry)
        return sdk_body_render(app_id=app_id, mode=mode, static=static, expires_at=expires_at)

    content, etag = sdk_body_memoized(
        key=(app_id, mode, expires_at, settings.TURN_CREDENTIAL_TTL, secrets, entry["built"]),
        render=render,
    )
    max_age = sdk_max_age(expires_at=expires_at, now=now)
    return ProxyConfig(content=content, etag=etag, max_age=max_age, stale=stale)
