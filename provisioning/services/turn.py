"""Mint TURN credentials in the TURN REST scheme that coturn checks with ``use-auth-secret``.

``username = "<unix expiry>:<app_id>"`` and ``credential = base64(HMAC-SHA1(secret, username))``.
Secrets come from ``TURN_SHARED_SECRETS`` (comma-separated): the first mints, and every one
is accepted by the TURN servers during a rotation.
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class TurnCredential:
    username: str
    credential: str
    expires_at: int


def _now() -> float:
    return time.time()


def turn_credential_sign(*, secret: str, username: str) -> str:
    """Return the TURN REST credential (password) of ``username`` under ``secret``."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def turn_credential_expiry(*, now: float | None = None) -> int:
    """Return the expiry of credentials minted now: ``TURN_CREDENTIAL_TTL`` from now, rounded
    up to a ``TURN_CREDENTIAL_BUCKET`` boundary so that requests in one bucket share it."""
    now = _now() if now is None else now
    bucket = settings.TURN_CREDENTIAL_BUCKET
    earliest = int(now) + settings.TURN_CREDENTIAL_TTL
    return -(-earliest // bucket) * bucket


def turn_credential_mint(*, app_id: str, expires_at: int | None = None) -> TurnCredential:
    """Return credentials for ``app_id`` signed with the first shared secret."""
    secrets = settings.TURN_SHARED_SECRETS
    if not secrets:
        raise ImproperlyConfigured("TURN_SHARED_SECRETS is empty; TURN credentials can't be made.")
    expires_at = turn_credential_expiry() if expires_at is None else expires_at
    username = f"{expires_at}:{app_id}"
    return TurnCredential(
        username=username,
        credential=turn_credential_sign(secret=secrets[0], username=username),
        expires_at=expires_at,
    )
