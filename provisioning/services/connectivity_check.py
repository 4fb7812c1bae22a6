"""What the browser check page runs: each proxy of the app's current and pending sets, one
TURN URL per transport, and TURN credentials to allocate a relay with."""

import time

from django.conf import settings

from accounts.models import App
from provisioning.selectors.connectivity import connectivity_check_targets
from provisioning.services.turn import turn_credential_mint
from rules.selectors import rule_set_latest

# How long the page waits for a relay candidate per proxy and transport.
CHECK_TIMEOUT_MS = 8000
# The page's TURN credentials are good for a check, not for relaying media: a link holder
# gets no day-long credentials.
CHECK_CREDENTIAL_SECONDS = 900


def connectivity_check_data(*, app: App) -> dict | None:
    """Return the page's data (JSON-safe), or None when the app has no rules or no TURN
    secret is configured."""
    rule_set = rule_set_latest(app=app)
    if rule_set is None or not settings.TURN_SHARED_SECRETS:
        return None
    expires_at = int(time.time()) + CHECK_CREDENTIAL_SECONDS
    credential = turn_credential_mint(app_id=app.app_id, expires_at=expires_at)
    targets = [
        {
            "address": target.address,
            "region": target.region,
            "environment": target.environment,
            "transports": target.transports,
        }
        for target in connectivity_check_targets(app=app)
    ]
    return {
        "app_id": app.app_id,
        "version": rule_set.version,
        "username": credential.username,
        "credential": credential.credential,
        "timeout_ms": CHECK_TIMEOUT_MS,
        "targets": targets,
    }
