"""The SDK's read path: an app's proxy config, answered from its cache entry.

``access`` checks the App ID and app token, ``limits`` holds the throttles, ``store`` the
one cache round trip, ``entry`` the per-app entry (built by ``queries`` and ``render`` on a
miss), ``memo`` the rendered bodies and ``proxy_config`` puts them together.
"""

from provisioning.sdk.access import APP_ID_RE, sdk_verified_clear
from provisioning.sdk.entry import sdk_entry_state_clear
from provisioning.sdk.memo import sdk_memos_clear
from provisioning.sdk.proxy_config import (
    ProxyConfig,
    sdk_proxy_config,
    sdk_proxy_config_done,
    sdk_proxy_config_send,
)
from provisioning.sdk.store import sdk_cache_state_clear


def sdk_state_clear() -> None:
    """Forget this process's rendered bodies, pending counts and past failures (tests)."""
    sdk_memos_clear()
    sdk_verified_clear()
    sdk_cache_state_clear()
    sdk_entry_state_clear()


__all__ = [
    "APP_ID_RE",
    "ProxyConfig",
    "sdk_proxy_config",
    "sdk_proxy_config_done",
    "sdk_proxy_config_send",
    "sdk_state_clear",
]
