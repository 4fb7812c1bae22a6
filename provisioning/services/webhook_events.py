"""Tell an app's webhook endpoints what happened to its requests, rules and test sets.

Each function is called inside the transaction of the change it reports; the deliveries
are written with it and sent once it commits (``webhooks.services.events``).
"""

from datetime import datetime

from accounts.models import App
from rules.models import RuleSet
from webhooks.choices import WebhookEvent
from webhooks.services.events import webhook_event_emit
from webhooks.services.payloads import absolute_url, rule_set_event_data


def _when(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def rule_set_published_emit(*, rule_set: RuleSet) -> None:
    """Report a newly published rule set version (``rules.version_published``)."""
    webhook_event_emit(
        rule_set.app, WebhookEvent.RULES_VERSION_PUBLISHED, rule_set_event_data(rule_set=rule_set)
    )


def request_status_changed_emit(
    *, request, from_status: str, to_status: str, reason: str, at: datetime
) -> None:
    """Report a proxy request's move from ``from_status`` to ``to_status``."""
    app: App = request.app
    data = {
        "app_id": app.app_id,
        "request_id": request.pk,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "changed_at": _when(at),
        "links": {
            "request": absolute_url("api:request-detail", request.pk),
            "portal": absolute_url("portal_request_detail", request.pk),
        },
    }
    webhook_event_emit(app, WebhookEvent.REQUEST_STATUS_CHANGED, data)


def test_set_expiring_emit(*, allocation, days: int) -> None:
    """Report that the app's test set ends within ``days`` (``credentials.expiring``): the
    addresses its firewall and SDKs rely on stop working then."""
    app: App = allocation.request.app
    data = {
        "app_id": app.app_id,
        "credential": f"{allocation.kind}_set",
        "allocation_id": allocation.pk,
        "request_id": allocation.request_id,
        "expires_at": _when(allocation.expires_at),
        "days_left": days,
        "links": {
            "request": absolute_url("api:request-detail", allocation.request_id),
            "portal": absolute_url("portal_app_detail", app.app_id),
        },
    }
    webhook_event_emit(app, WebhookEvent.CREDENTIALS_EXPIRING, data)
