"""Mint and check app tokens: the JWTs that SDKs send when an app's certificate is enabled.

A customer's token server mints a token for each SDK session, either with
``manage.py mint_app_token <app_id> [--ttl S]`` or from Python::

    from accounts.services.app_tokens import app_token_mint
    token = app_token_mint(app=app, ttl_seconds=3600)

The SDK sends it as ``Authorization: Bearer <token>``. A token is a JWT signed with HS256
and the app certificate; it names the app in ``sub`` and must carry ``exp``. Its lifetime
may not exceed ``APP_TOKEN_MAX_TTL`` seconds.
"""

import time

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.constants import APP_TOKEN_ALGORITHM, APP_TOKEN_LEEWAY_SECONDS
from accounts.models import App


class AppTokenError(Exception):
    """An app token was missing, malformed, badly signed or expired; ``code`` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _now() -> int:
    return int(time.time())


def app_token_mint(*, app: App, ttl_seconds: int) -> str:
    """Return a token for ``app`` valid for ``ttl_seconds`` (1 to ``APP_TOKEN_MAX_TTL``)."""
    max_ttl = settings.APP_TOKEN_MAX_TTL
    if not 1 <= int(ttl_seconds) <= max_ttl:
        raise ValidationError(
            {"ttl_seconds": f"A token lives 1 to {max_ttl} seconds; {ttl_seconds} is out of range."}
        )
    issued_at = _now()
    claims = {"sub": app.app_id, "iat": issued_at, "exp": issued_at + int(ttl_seconds)}
    return jwt.encode(claims, app.certificate, algorithm=APP_TOKEN_ALGORITHM)


def app_token_verify(*, app_id: str, certificate: str, token: str) -> dict:
    """Return the claims of ``token`` for the app, or raise AppTokenError.

    Codes: ``token_invalid`` (bad signature, wrong app, no ``exp``, lifetime too long) and
    ``token_expired``.
    """
    try:
        claims = jwt.decode(
            token,
            certificate,
            algorithms=[APP_TOKEN_ALGORITHM],
            options={"require": ["exp", "sub"]},
            leeway=APP_TOKEN_LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise AppTokenError("token_expired", "The app token has expired; mint a new one.") from exc
    except jwt.InvalidTokenError as exc:
        raise AppTokenError("token_invalid", f"The app token is not valid: {exc}.") from exc
    if claims.get("sub") != app_id:
        raise AppTokenError("token_invalid", "The app token was minted for another app.")
    # A token that lives longer than allowed is refused even when correctly signed, so a
    # leaked long-lived token can't outlast the policy.
    issued_at = claims.get("iat") if isinstance(claims.get("iat"), int) else _now()
    if claims["exp"] - issued_at > settings.APP_TOKEN_MAX_TTL + APP_TOKEN_LEEWAY_SECONDS:
        raise AppTokenError(
            "token_invalid",
            f"The app token lives longer than the allowed {settings.APP_TOKEN_MAX_TTL} seconds.",
        )
    return claims
