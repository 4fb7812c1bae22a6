"""Links to an app's browser check that work without signing in, for a colleague inside
the customer's network: signed, time-limited, and recorded in the app's history."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from accounts.choices import AppStatus, CustomerStatus
from accounts.models import App
from accounts.services.audit import AUDIT_CHANGE, audit_record

SALT = "provisioning.connectivity-check-link"


def connectivity_link_create(*, app: App, actor) -> tuple[str, datetime]:
    """Return a token for ``app``'s browser check and when it expires; audited."""
    token = signing.dumps({"app": app.app_id}, salt=SALT, compress=False)
    expires_at = timezone.now() + timedelta(seconds=settings.CONNECTIVITY_LINK_TTL_SECONDS)
    audit_record(
        actor=actor,
        obj=app,
        action_flag=AUDIT_CHANGE,
        message="Created a browser connectivity check link valid until "
        f"{expires_at:%Y-%m-%d %H:%M} UTC",
    )
    return token, expires_at


def connectivity_link_app(*, token: str) -> App | None:
    """Return the enabled app a valid, unexpired ``token`` is for, or None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.CONNECTIVITY_LINK_TTL_SECONDS)
    except signing.BadSignature:
        return None
    app_id = data.get("app") if isinstance(data, dict) else None
    if not isinstance(app_id, str):
        return None
    apps = App.objects.filter(
        app_id=app_id, status=AppStatus.ACTIVE, customer__status=CustomerStatus.ACTIVE
    )
    return apps.select_related("customer").first()
