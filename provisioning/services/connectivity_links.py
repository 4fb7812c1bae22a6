"""Links to an app's browser check that work without signing in, for a colleague inside
the customer's network: signed, time-limited, and recorded in the app's history."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from accounts.choices import AppStatus, CustomerStatus
from accounts.models import App
from accounts.services.audit import AUDIT_CHANGE, audit_record
from accounts.services.throttles import attempt_allowed
from provisioning.choices import ReportSource
from provisioning.constants import LINK_REPORTS_PER_HOUR
from provisioning.models import ConnectivityReport
from provisioning.services.connectivity import connectivity_report_record

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


class LinkInvalid(Exception):
    """The link is forged, expired, or its app can't be checked any more."""


class LinkThrottled(Exception):
    """The link sent more reports this hour than it may."""


def connectivity_link_report_record(
    *, token: str, version, results, source_address: str | None
) -> ConnectivityReport:
    """Store the browser report sent through a link, at most LINK_REPORTS_PER_HOUR an
    hour per link; raise LinkInvalid, LinkThrottled or ValidationError."""
    app = connectivity_link_app(token=token)
    if app is None:
        raise LinkInvalid
    if not attempt_allowed(scope="connectivity-link", key=token, limit=LINK_REPORTS_PER_HOUR):
        raise LinkThrottled
    return connectivity_report_record(
        app=app, version=version, source=ReportSource.BROWSER, results=results,
        source_address=source_address, actor=None,
    )  # fmt: skip
