"""Who may have an app's proxy config: a well-formed App ID of an enabled app, with an app
token signed by one of its certificates when the app's certificate is enabled."""

import re
import time

from accounts.constants import APP_ID_PATTERN
from accounts.services.app_tokens import AppTokenError, app_token_verify
from provisioning.exceptions import SdkConfigError
from provisioning.sdk.memo import BoundedMemo

APP_ID_RE = re.compile(APP_ID_PATTERN)
# Tokens this process has verified, until their expiry: an SDK asks again with the same
# token, and checking a signature costs more than the rest of a warm answer.
VERIFIED_MAX = 20_000
# (App ID, certificates, token) -> the token's expiry
_verified = BoundedMemo(VERIFIED_MAX)


def sdk_verified_clear() -> None:
    """Forget the tokens this process has verified (tests)."""
    _verified.values.clear()


def _verify(app_id: str, certificates: list[str], token: str) -> None:
    """Verify ``token`` against the app's certificates (both while they rotate), or take
    this process's earlier verdict for the same certificates and token until it expires."""
    key = (app_id, tuple(certificates), token)
    expires = _verified.get(key)
    if expires is not None and time.time() < expires:
        return
    try:
        claims = app_token_verify(app_id=app_id, certificates=certificates, token=token)
    except AppTokenError as exc:
        raise SdkConfigError(exc.code, exc.message) from exc
    _verified.put(key, float(claims["exp"]))


def _check_token(entry: dict, authorization: str) -> None:
    keyword, _, token = authorization.partition(" ")
    if not authorization:
        raise SdkConfigError(
            "token_required", "This app's certificate is enabled: send an app token."
        )
    if keyword.lower() != "bearer" or not token.strip():
        raise SdkConfigError(
            "token_invalid", "Send the app token as 'Authorization: Bearer <token>'."
        )
    _verify(entry["app_id"], entry["certificates"], token.strip())


def sdk_app_id_check(app_id: str) -> None:
    """Raise SdkConfigError unless ``app_id`` is a well-formed App ID."""
    if not isinstance(app_id, str) or not APP_ID_RE.fullmatch(app_id):
        raise SdkConfigError(
            "invalid_app_id", "An App ID is exactly 32 lowercase hexadecimal characters."
        )


def sdk_app_check(*, entry: dict, authorization: str = "") -> None:
    """Raise SdkConfigError unless the app's proxy config may be served, checking in the
    contract's order: existence, status, then the app token."""
    if not entry["found"]:
        raise SdkConfigError("unknown_app", "No app has this App ID.")
    if not entry["enabled"]:
        raise SdkConfigError("app_disabled", "This app is disabled.")
    if entry["certificates"]:
        _check_token(entry, authorization)
