"""Issue and revoke customer API keys. Only a SHA-256 of each key's secret is stored."""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.constants import (
    API_KEY_LAST_USED_RESOLUTION_SECONDS,
    API_KEY_PREFIX_LENGTH,
    API_KEY_SECRET_BYTES,
)
from accounts.models import ApiKey, Customer
from accounts.services.audit import AUDIT_ADDITION, AUDIT_CHANGE, audit_record


def api_key_hash(raw_key: str) -> str:
    """Return the stored form of a raw API key."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, customer: Customer, name: str, scopes: list[str], created_by=None, expires_at=None
) -> tuple[ApiKey, str]:
    """Create an API key and return it with the raw key, which is shown only this once."""
    prefix = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    raw_key = f"{prefix}.{secrets.token_urlsafe(API_KEY_SECRET_BYTES)}"
    api_key = ApiKey(
        customer=customer,
        name=name,
        prefix=prefix,
        key_hash=api_key_hash(raw_key),
        scopes=sorted(set(scopes)),
        created_by=created_by,
        expires_at=expires_at,
    )
    api_key.full_clean()
    api_key.save()
    audit_record(
        actor=created_by,
        obj=api_key,
        action_flag=AUDIT_ADDITION,
        message=f"Issued API key {prefix}\u2026 with scopes {', '.join(api_key.scopes)}.",
    )
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor=None) -> ApiKey:
    """Revoke the key at once; revoking twice keeps the first revocation time."""
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    api_key.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            actor=actor,
            obj=api_key,
            action_flag=AUDIT_CHANGE,
            message=f"Revoked API key {api_key.prefix}\u2026.",
        )
    return api_key


class ApiKeyRejected(Exception):
    """An API key was presented but is unknown, revoked or expired; ``code`` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def api_key_authenticate(*, raw_key: str) -> ApiKey:
    """Return the active key matching ``raw_key`` or raise ApiKeyRejected.

    The key is found by its public prefix and its hash compared in constant time, so a
    wrong secret costs the same as a right one.
    """
    prefix, _, secret = raw_key.partition(".")
    api_key = None
    if prefix and secret:
        api_key = ApiKey.objects.select_related("customer").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, api_key_hash(raw_key)):
        raise ApiKeyRejected("api_key_invalid", "The API key is not valid.")
    if api_key.revoked_at is not None:
        raise ApiKeyRejected("api_key_revoked", "The API key has been revoked.")
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        raise ApiKeyRejected("api_key_expired", "The API key has expired.")
    api_key_touch(api_key=api_key)
    return api_key


def api_key_touch(*, api_key: ApiKey) -> None:
    """Record that ``api_key`` was just used, writing at most once per resolution window."""
    now = timezone.now()
    threshold = now - datetime.timedelta(seconds=API_KEY_LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used_at is not None and api_key.last_used_at > threshold:
        return
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold), pk=api_key.pk
    ).update(last_used_at=now)
    api_key.last_used_at = now
