"""Feed tokens: the secret in a member's Atom feed URL of one app, for feed readers that
cannot send an API key. Only a SHA-256 of each token is stored; the URL is shown once.

A token reads the feed only while its member may see the app: removing the member,
suspending the customer or revoking the token closes the feed at once.
"""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.constants import FEED_TOKEN_PREFIX_LENGTH, FEED_TOKEN_SECRET_BYTES
from accounts.models import App, FeedToken
from accounts.selectors import user_apps
from accounts.services.audit import AUDIT_ADDITION, AUDIT_CHANGE, audit_record


class FeedTokenRejected(Exception):
    """No app's feed answers to this token (unknown, revoked, another app's, or its member
    no longer sees the app)."""


def feed_token_hash(raw_token: str) -> str:
    """Return the stored form of a raw feed token."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def _revoke_active(*, user, app: App) -> list[FeedToken]:
    active = list(
        FeedToken.objects.select_for_update().filter(user=user, app=app, revoked_at__isnull=True)
    )
    now = timezone.now()
    for token in active:
        FeedToken.objects.filter(pk=token.pk).update(revoked_at=now)
        token.revoked_at = now
        audit_record(
            actor=user,
            obj=token,
            action_flag=AUDIT_CHANGE,
            message=f"Revoked feed token {token.prefix}\u2026 of {app.app_id}.",
        )
    return active


@transaction.atomic
def feed_token_issue(*, user, app: App) -> tuple[FeedToken, str]:
    """Give ``user`` a new feed token of ``app``, revoking the one they had (rotation);
    return it with the raw token, which is shown only this once."""
    _revoke_active(user=user, app=app)
    prefix = secrets.token_hex(FEED_TOKEN_PREFIX_LENGTH // 2)
    raw_token = f"{prefix}-{secrets.token_urlsafe(FEED_TOKEN_SECRET_BYTES)}"
    token = FeedToken(user=user, app=app, prefix=prefix, token_hash=feed_token_hash(raw_token))
    token.full_clean()
    token.save()
    audit_record(
        actor=user,
        obj=token,
        action_flag=AUDIT_ADDITION,
        message=f"Issued feed token {prefix}\u2026 of {app.app_id}.",
    )
    return token, raw_token


@transaction.atomic
def feed_token_revoke(*, user, app: App) -> int:
    """Revoke ``user``'s feed token of ``app``; return how many were active (0 or 1)."""
    return len(_revoke_active(user=user, app=app))


def feed_token_app(*, app_id: str, raw_token: str) -> App:
    """Return the app whose feed ``raw_token`` reads, or raise FeedTokenRejected.

    The token is found by its public prefix and its hash compared in constant time.
    """
    prefix, _, secret = raw_token.partition("-")
    token = None
    if prefix and secret:
        token = (
            FeedToken.objects.select_related("user", "app")
            .filter(prefix=prefix, revoked_at__isnull=True, app__app_id=app_id)
            .first()
        )
    if token is None or not hmac.compare_digest(token.token_hash, feed_token_hash(raw_token)):
        raise FeedTokenRejected("No such feed.")
    app = user_apps(user=token.user).filter(pk=token.app_id).first()
    if app is None or not token.user.is_active:
        raise FeedTokenRejected("No such feed.")
    return app
