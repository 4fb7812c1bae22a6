"""Settings of TURN credentials, app tokens and the SDK config path, read from the
environment (see README, "Configuration"); ``config.settings`` takes every name here."""

from config.env import env_float, env_int, env_list

# TURN REST credentials: the first secret signs, all are accepted by the TURN servers while
# a secret is rotated. Without a secret the proxy config carries no ICE servers.
TURN_SHARED_SECRETS = env_list("TURN_SHARED_SECRETS")
TURN_CREDENTIAL_TTL = env_int("TURN_CREDENTIAL_TTL", 86400, minimum=60)
# Expiries are rounded up to this many seconds so equal requests get equal (cacheable) bodies.
TURN_CREDENTIAL_BUCKET = env_int("TURN_CREDENTIAL_BUCKET", 300, minimum=1)
TURN_UDP_PORT = env_int("TURN_UDP_PORT", 3478, minimum=1)
TURN_TCP_PORT = env_int("TURN_TCP_PORT", 443, minimum=1)
# TURN over TLS (turns: URLs on the pools' TLS host names); coturn serves it beside plain TCP.
TURN_TLS_PORT = env_int("TURN_TLS_PORT", 443, minimum=1)
# App tokens (JWT signed with the app certificate): the longest lifetime accepted and minted.
APP_TOKEN_MAX_TTL = env_int("APP_TOKEN_MAX_TTL", 86400, minimum=60)
# Seconds an app's SDK entry in the cache is trusted without a change before it is rebuilt
# (changes themselves are seen at once, see accounts/services/sdk_generations.py).
SDK_CONFIG_CACHE_TIMEOUT = env_int("SDK_CONFIG_CACHE_TIMEOUT", 3600, minimum=1)
# Seconds the cache keeps an app's last entry, served as stale while the database is down.
SDK_CONFIG_STALE_SECONDS = env_int("SDK_CONFIG_STALE_SECONDS", 7 * 86400, minimum=60)
# After a cache or database failure the SDK path leaves it alone for this many seconds.
SDK_CACHE_RETRY_SECONDS = env_float("SDK_CACHE_RETRY_SECONDS", 2, minimum=0.1)
# Answers a minute per approved concurrent user that an app's SDKs may get (sdk_app rate
# is the floor).
SDK_THROTTLE_APP_PER_USER = env_float("SDK_THROTTLE_APP_PER_USER", 3, minimum=0)
# Make-before-break: hours between publishing a version that adds production addresses and
# serving them to SDKs without the customer's acknowledgement; test additions wait this
# (default none). Staff may bring a version forward per request, with a reason.
ACTIVATION_DELAY_PRODUCTION = env_float("ACTIVATION_DELAY_PRODUCTION", 72, minimum=0)
ACTIVATION_DELAY_TEST = env_float("ACTIVATION_DELAY_TEST", 0, minimum=0)
# The middleware a GET of the SDK endpoint goes through (config.middleware.
# SdkEndpointMiddleware), in MIDDLEWARE's order: the rest of MIDDLEWARE does nothing for an
# anonymous, cookie-less JSON answer.
SDK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
