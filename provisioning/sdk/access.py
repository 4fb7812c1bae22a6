"""Who may have an app's proxy config: a well-formed App ID of an enabled app, with an app
token when the app's certificate is enabled."""

import re

from accounts.choices import AppStatus, CustomerStatus
from accounts.constants import APP_ID_PATTERN
from accounts.models.app import certificate_secrets
from accounts.services.app_tokens import AppTokenError, app_token_verify
from provisioning.exceptions import SdkConfigError
from provisioning.sdk.memo import sdk_app_row_recent

APP_ID_RE = re.compile(APP_ID_PATTERN)


def _check_token(row: dict, authorization: str) -> None:
    keyword, _, token = authorization.partition(" ")
    if not authorization:
        raise SdkConfigError(
            "token_required", "This app's certificate is enabled: send an app token."
        )
    if keyword.lower() != "bearer" or not token.strip():
        raise SdkConfigError(
            "token_invalid", "Send the app token as 'Authorization: Bearer <token>'."
        )
    # Both certificates verify while they rotate; which one signed is the verifier's business.
    certificates = certificate_secrets(row["certificate"], row["secondary_certificate"])
    try:
        app_token_verify(app_id=row["app_id"], certificates=certificates, token=token.strip())
    except AppTokenError as exc:
        raise SdkConfigError(exc.code, exc.message) from exc


def _check_app_id_format(app_id: str) -> None:
    if not isinstance(app_id, str) or not APP_ID_RE.fullmatch(app_id):
        raise SdkConfigError(
            "invalid_app_id", "An App ID is exactly 32 lowercase hexadecimal characters."
        )


def sdk_app_check(*, app_id: str, authorization: str = "") -> dict:
    """Return the app row if its proxy config may be served, checking in the contract's
    order: App ID format, existence, status, then the app token; else raise
    SdkConfigError."""
    _check_app_id_format(app_id)
    row = sdk_app_row_recent(app_id=app_id)
    if row is None:
        raise SdkConfigError("unknown_app", "No app has this App ID.")
    if row["status"] != AppStatus.ACTIVE or row["customer__status"] != CustomerStatus.ACTIVE:
        raise SdkConfigError("app_disabled", "This app is disabled.")
    if row["certificate_enabled"]:
        _check_token(row, authorization)
    return row
