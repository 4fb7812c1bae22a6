"""Issue and revoke customer API keys. Only a SHA-256 of each key's secret is stored."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.constants import API_KEY_PREFIX_LENGTH, API_KEY_SECRET_BYTES
from accounts.models import ApiKey, Customer


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
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke the key at once; revoking twice keeps the first revocation time."""
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key
