"""Mint and check app tokens: the JWTs that SDKs send when an app's certificate is enabled.

A customer's token server mints a token for each SDK session, either with
``manage.py mint_app_token <app_id> [--ttl S]`` or from Python::

    from accounts.services.app_tokens import app_token_mint
    token = app_token_mint(app=app, ttl_seconds=3600)

The SDK sends it as ``Authorization: Bearer <token>``. The published rules (README, "App
tokens"; the OpenAPI description of the SDK endpoint):

- a JWS compact token, ``alg`` HS256; the key is the app certificate's 32 characters as
  they are shown (UTF-8 bytes of the hex text, not hex-decoded); while certificates rotate
  an app has a primary and a secondary certificate, and a token signed with either passes;
- claims: ``sub`` the App ID in lower case (required), ``exp`` (required) and optional
  ``iat`` / ``nbf``, all NumericDate numbers of seconds since the epoch;
- refused: another ``alg``, a bad signature, an ``aud`` claim, a missing or non-numeric
  ``exp``, ``iat`` or ``nbf`` in the future, and a lifetime ``exp - iat`` (or ``exp - now``
  without ``iat``) over ``APP_TOKEN_MAX_TTL`` seconds; 5 seconds of leeway on every time.
"""

import base64
import functools
import hmac
import json
import math
import time
from collections.abc import Sequence

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.choices import CertificateSlot
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


def app_token_mint(
    *, app: App, ttl_seconds: int, certificate: str = CertificateSlot.PRIMARY
) -> str:
    """Return a token for ``app`` valid for ``ttl_seconds`` (1 to ``APP_TOKEN_MAX_TTL``),
    signed with its primary certificate, or its secondary one when ``certificate`` says so."""
    max_ttl = settings.APP_TOKEN_MAX_TTL
    if not 1 <= int(ttl_seconds) <= max_ttl:
        raise ValidationError(
            {"ttl_seconds": f"A token lives 1 to {max_ttl} seconds; {ttl_seconds} is out of range."}
        )
    key = app.certificate
    if certificate == CertificateSlot.SECONDARY:
        key = app.secondary_certificate
        if not key:
            raise ValidationError({"certificate": "This app has no secondary certificate."})
    issued_at = _now()
    claims = {"sub": app.app_id, "iat": issued_at, "exp": issued_at + int(ttl_seconds)}
    return jwt.encode(claims, key, algorithm=APP_TOKEN_ALGORITHM)


def _decode(token: str, certificate: str) -> dict | None:
    """Return the claims of ``token`` if it is signed with ``certificate``, None if its
    signature is another key's; raise AppTokenError for anything else."""
    options = {"verify_exp": False, "verify_iat": False, "verify_nbf": False}
    try:
        return jwt.decode(token, certificate, algorithms=[APP_TOKEN_ALGORITHM], options=options)
    except jwt.InvalidSignatureError:
        return None
    except jwt.InvalidAlgorithmError as exc:
        raise AppTokenError("token_invalid", "The app token must be signed with HS256.") from exc
    except jwt.InvalidAudienceError as exc:
        raise AppTokenError("token_invalid", "App tokens carry no aud claim.") from exc
    except jwt.InvalidTokenError as exc:
        message = "The app token is not a well-formed JWT (header.payload.signature)."
        raise AppTokenError("token_invalid", message) from exc


def _pyjwt_claims(*, certificates: Sequence[str], token: str) -> dict:
    """Return the claims of ``token`` as PyJWT reads them once its HS256 signature checks
    out under one of ``certificates``, or raise AppTokenError saying what is wrong."""
    for certificate in certificates:
        claims = _decode(token, certificate)
        if claims is not None:
            break
    else:
        message = "The app token's signature does not match the app certificate."
        if len(certificates) > 1:
            message = "The app token's signature matches neither of the app's certificates."
        raise AppTokenError("token_invalid", message)
    if not isinstance(claims, dict):
        raise AppTokenError("token_invalid", "The app token's payload is not a JSON object.")
    return claims


# The plain form every token server mints (app_token_mint, the JavaScript libraries): one of
# these headers and only the published claims. Checking it takes the standard library a
# tenth of PyJWT's time, and every SDK session brings a new token.
PLAIN_HEADERS = ({"alg": APP_TOKEN_ALGORITHM, "typ": "JWT"}, {"alg": APP_TOKEN_ALGORITHM})
PLAIN_CLAIMS = frozenset({"sub", "exp", "iat", "nbf"})
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _segment_bytes(segment: str) -> bytes | None:
    """Return a base64url segment's bytes, or None unless it is strictly in the base64url
    alphabet without padding."""
    if "+" in segment or "/" in segment or "=" in segment:
        return None
    try:
        padded = segment.encode("ascii").translate(_URLSAFE) + b"=" * (-len(segment) % 4)
        return base64.b64decode(padded, validate=True)
    except ValueError:  # UnicodeEncodeError and binascii.Error are ValueErrors
        return None


@functools.lru_cache(maxsize=32)  # a token server sends one header for all its tokens
def _plain_header(segment: str) -> bool:
    raw = _segment_bytes(segment)
    try:
        return raw is not None and json.loads(raw) in PLAIN_HEADERS
    except ValueError:
        return False


def _plain_claims(*, certificates: Sequence[str], token: str) -> dict | None:
    """Return the claims of a token in the plain form, correctly signed under one of
    ``certificates``; None for a token in any other form or failing any step, which PyJWT
    then reads (a test holds both readings equal wherever this one answers)."""
    header, _, rest = token.partition(".")
    payload, _, signature = rest.partition(".")
    if not signature or "." in signature or not _plain_header(header):
        return None
    raw_signature, raw_payload = _segment_bytes(signature), _segment_bytes(payload)
    try:
        signed = f"{header}.{payload}".encode("ascii")
    except UnicodeEncodeError:
        return None
    if raw_signature is None or raw_payload is None:
        return None
    digests = (hmac.digest(c.encode(), signed, "sha256") for c in certificates)
    if not any(hmac.compare_digest(digest, raw_signature) for digest in digests):
        return None
    try:
        claims = json.loads(raw_payload)
    except ValueError:
        return None
    plain = isinstance(claims, dict) and claims.keys() <= PLAIN_CLAIMS
    return claims if plain and isinstance(claims.get("sub"), str) else None


def _signed_claims(*, certificates: Sequence[str], token: str) -> dict:
    """Return the claims of ``token`` once its HS256 signature checks out under one of
    ``certificates``; time claims are checked by the caller, to the published rules."""
    claims = _plain_claims(certificates=certificates, token=token)
    return claims if claims is not None else _pyjwt_claims(certificates=certificates, token=token)


def _numeric_date(claims: dict, name: str, *, required: bool) -> int | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if value is None:
        raise AppTokenError("token_invalid", f"The app token lacks the {name} claim.")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        message = f"The app token's {name} claim must be a number (seconds since the epoch)."
        raise AppTokenError("token_invalid", message)
    return int(value)


def _check_times(claims: dict) -> None:
    now, leeway, max_ttl = _now(), APP_TOKEN_LEEWAY_SECONDS, settings.APP_TOKEN_MAX_TTL
    expires = _numeric_date(claims, "exp", required=True)
    issued = _numeric_date(claims, "iat", required=False)
    not_before = _numeric_date(claims, "nbf", required=False)
    if expires <= now - leeway:
        raise AppTokenError("token_expired", "The app token has expired; mint a new one.")
    if max(issued or 0, not_before or 0) > now + leeway:
        raise AppTokenError("token_invalid", "The app token is not valid yet (iat or nbf).")
    # A token that lives longer than allowed is refused even when correctly signed, so a
    # leaked long-lived token can't outlast the policy.
    if expires - (issued if issued is not None else now) > max_ttl + leeway:
        message = f"The app token lives longer than the allowed {max_ttl} seconds."
        raise AppTokenError("token_invalid", message)


def app_token_verify(*, app_id: str, certificates: Sequence[str], token: str) -> dict:
    """Return the claims of ``token`` for the app, or raise AppTokenError.

    ``certificates`` are the app's secrets, primary first (``App.certificates``, or
    ``accounts.models.app.certificate_secrets`` of a row's columns); a token signed with any
    of them passes. This is the one place tokens are checked, whatever caches the secrets.
    Codes: ``token_expired``, and ``token_invalid`` for everything else (see the module's
    published rules); messages say what is wrong, never the parser's own text.
    """
    claims = _signed_claims(certificates=certificates, token=token)
    if claims.get("sub") != app_id:
        raise AppTokenError("token_invalid", "The app token's sub is not this App ID.")
    _check_times(claims)
    return claims
