"""Settings of customers' webhooks, read from the environment (see README, "Webhooks");
``config.settings`` takes every name here."""

from config.env import env_bool, env_float, env_int, env_list, env_str

# Plain http:// endpoints are refused unless DEBUG is on or this allows them.
WEBHOOK_ALLOW_INSECURE_HTTP = env_bool("WEBHOOK_ALLOW_INSECURE_HTTP", False)
# Private, loopback, link-local and other non-public destinations are refused (at save and
# at every delivery, after resolving) unless this allows them: only for tests and labs.
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = env_bool("WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", False)
WEBHOOK_MAX_ENDPOINTS_PER_APP = env_int("WEBHOOK_MAX_ENDPOINTS_PER_APP", 10, minimum=1)
# Seconds to connect, and again to read the answer, of one attempt.
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=0.1)
# Seconds to wait before each retry of a failed delivery: 5 s, 30 s, 2 min, 10 min, 30 min,
# 1 h, 3 h, 6 h, 12 h, 12 h: the last attempt is about 35 hours after the first.
WEBHOOK_RETRY_SCHEDULE = [
    float(seconds)
    for seconds in env_list(
        "WEBHOOK_RETRY_SCHEDULE",
        ["5", "30", "120", "600", "1800", "3600", "10800", "21600", "43200", "43200"],
    )
]
# Deliveries in a row that fail for good (every retry spent) before the endpoint is
# disabled and the customer's admins are e-mailed.
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 5, minimum=1)
# After a rotation, the previous secret keeps signing (beside the new one) this long.
WEBHOOK_SECRET_OVERLAP_SECONDS = env_int("WEBHOOK_SECRET_OVERLAP_SECONDS", 24 * 3600, minimum=0)
# Where links in webhook payloads point: the service's public address.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
