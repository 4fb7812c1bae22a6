"""The SDK's read path: an app's proxy config, answered from caches on the hot path.

``access`` checks the App ID and app token, ``queries`` reads the app row and its served
endpoints, ``memo`` holds the cache layers and their keys, ``render`` builds the answer and
``proxy_config`` puts them together.
"""

from provisioning.sdk.access import APP_ID_RE, sdk_app_check
from provisioning.sdk.memo import sdk_memos_clear
from provisioning.sdk.proxy_config import ProxyConfig, sdk_proxy_config

__all__ = ["APP_ID_RE", "ProxyConfig", "sdk_app_check", "sdk_memos_clear", "sdk_proxy_config"]
