"""An app's proxy config as the SDK endpoint serves it: checked, then answered from caches.

A warm request costs at most one query (the app row, see ``queries``), or none while the
row is reused (see ``memo``).
"""

import time
from dataclasses import dataclass

from django.conf import settings

from provisioning.choices import SdkMode
from provisioning.exceptions import SdkConfigError
from provisioning.sdk.access import sdk_app_check
from provisioning.sdk.memo import sdk_body_memoized, sdk_static_config_cached, sdk_static_key
from provisioning.sdk.render import sdk_body_render, sdk_max_age
from provisioning.services.turn import turn_credential_expiry

NO_PROXY_SERVICE = "This app has no live proxy service (test or production)."


@dataclass(frozen=True)
class ProxyConfig:
    content: bytes
    etag: str
    max_age: int


def _body(*, app_id: str, mode: str, key: str, row: dict, expires_at: int) -> tuple:
    static = sdk_static_config_cached(key=key, row=row)
    if static is None:
        raise SdkConfigError("no_proxy_service", NO_PROXY_SERVICE)
    return sdk_body_render(app_id=app_id, mode=mode, static=static, expires_at=expires_at)


def sdk_proxy_config(*, app_id: str, mode: str, authorization: str = "") -> ProxyConfig:
    """Return the proxy config of ``app_id`` for ``mode`` with TURN credentials, or raise
    SdkConfigError with the contract's error code."""
    row = sdk_app_check(app_id=app_id, authorization=authorization)
    if mode not in SdkMode.values:
        raise SdkConfigError(
            "invalid_mode", f"mode is one of {', '.join(SdkMode.values)}, not {mode!r}."
        )
    if row["live_fingerprint"] is None:
        raise SdkConfigError("no_proxy_service", NO_PROXY_SERVICE)
    now = time.time()
    expires_at = turn_credential_expiry(now=now)
    key = sdk_static_key(row=row)
    secrets = tuple(settings.TURN_SHARED_SECRETS[:1])
    content, etag = sdk_body_memoized(
        key=(key, mode, expires_at, settings.TURN_CREDENTIAL_TTL, secrets),
        render=lambda: _body(app_id=app_id, mode=mode, key=key, row=row, expires_at=expires_at),
    )
    max_age = sdk_max_age(expires_at=expires_at, now=now)
    return ProxyConfig(content=content, etag=etag, max_age=max_age)
