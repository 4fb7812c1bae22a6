"""Create, change, rotate and delete an app's webhook endpoints; every change is audited.

A new endpoint's secret, and a rotated one, are returned to be shown once.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import App
from accounts.services.audit import AUDIT_ADDITION, AUDIT_CHANGE, AUDIT_DELETION, audit_record
from webhooks.models import WebhookEndpoint
from webhooks.signing import secret_generate

UNSET = object()


def _events(events) -> list[str]:
    """Return the events without repeats, in the order given (anything else is left to
    ``clean()`` to refuse)."""
    if not isinstance(events, list | tuple):
        return events
    return list(dict.fromkeys(str(event) for event in events))


def _actor_name(actor) -> str:
    api_key = getattr(actor, "api_key", None)
    if api_key is not None:
        return f"API key {api_key.prefix}\u2026"
    return actor.get_username() if actor is not None and actor.is_authenticated else "staff"


def _actor_user_id(actor) -> int | None:
    api_key = getattr(actor, "api_key", None)
    if api_key is not None:
        return api_key.created_by_id
    return actor.pk if actor is not None and actor.is_authenticated else None


@transaction.atomic
def webhook_endpoint_create(
    *, app: App, url: str, events, description: str = "", actor=None
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint to ``app``; return it with its secret, shown only this once."""
    # The app's row is locked so that two creations can't both pass the limit.
    App.objects.select_for_update().filter(pk=app.pk).first()
    limit = int(settings.WEBHOOK_MAX_ENDPOINTS_PER_APP)
    if WebhookEndpoint.objects.filter(app=app).count() >= limit:
        raise ValidationError(
            {"url": f"An app has at most {limit} webhook endpoints; delete one first."}
        )
    secret = secret_generate()
    endpoint = WebhookEndpoint(
        app=app,
        url=url,
        events=_events(events),
        description=description,
        secret=secret,
        created_by_id=_actor_user_id(actor),
    )
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        actor=actor,
        obj=endpoint,
        action_flag=AUDIT_ADDITION,
        message=f"Added webhook endpoint {endpoint.url} for {', '.join(endpoint.events)}.",
    )
    return endpoint, secret


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().select_related("app").get(pk=endpoint.pk)


def _enabled_set(endpoint: WebhookEndpoint, enabled: bool, actor) -> None:
    if enabled:
        endpoint.enabled = True
        endpoint.disabled_for_failures = False
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
        endpoint.disabled_notice_sent_at = None
        endpoint.consecutive_failures = 0
    else:
        endpoint.enabled = False
        endpoint.disabled_reason = f"Disabled by {_actor_name(actor)}."
        endpoint.disabled_at = timezone.now()


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor=None,
    url=UNSET,
    events=UNSET,
    description=UNSET,
    enabled=UNSET,
) -> WebhookEndpoint:
    """Change the given fields of ``endpoint`` (the others stay as they are)."""
    locked = _locked(endpoint)
    changed = []
    for name, value in (("url", url), ("events", events), ("description", description)):
        if value is not UNSET:
            value = _events(value) if name == "events" else value
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
    if enabled is not UNSET and bool(enabled) != locked.enabled:
        _enabled_set(locked, bool(enabled), actor)
        changed.append("enabled" if enabled else "disabled")
    if changed:
        locked.full_clean()
        locked.save()
        audit_record(
            actor=actor,
            obj=locked,
            action_flag=AUDIT_CHANGE,
            message=f"Changed webhook endpoint {locked.url}: {', '.join(changed)}.",
        )
    return locked


@transaction.atomic
def webhook_endpoint_rotate(
    *, endpoint: WebhookEndpoint, actor=None
) -> tuple[WebhookEndpoint, str]:
    """Give ``endpoint`` a new secret and return it (shown once); the previous one keeps
    signing beside it for ``WEBHOOK_SECRET_OVERLAP_SECONDS``."""
    locked = _locked(endpoint)
    secret = secret_generate()
    overlap = int(settings.WEBHOOK_SECRET_OVERLAP_SECONDS)
    locked.previous_secret = locked.secret if overlap else ""
    locked.previous_secret_expires_at = (
        timezone.now() + timedelta(seconds=overlap) if overlap else None
    )
    locked.secret = secret
    locked.full_clean()
    locked.save()
    audit_record(
        actor=actor,
        obj=locked,
        action_flag=AUDIT_CHANGE,
        message=f"Rotated the secret of webhook endpoint {locked.url}; the previous one "
        f"stays valid for {overlap} seconds.",
    )
    return locked, secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor=None) -> None:
    """Delete ``endpoint`` and its delivery log."""
    locked = _locked(endpoint)
    audit_record(
        actor=actor,
        obj=locked,
        action_flag=AUDIT_DELETION,
        message=f"Deleted webhook endpoint {locked.url}.",
    )
    locked.delete()
