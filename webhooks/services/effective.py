"""Announce ``rules.version_effective`` when a rule set version takes effect.

A version takes effect in the rules app (at its effective date, on acknowledgement, or
brought forward by staff), which ranks below webhooks and so can't call them; beat's
``webhook-effective-versions`` job looks for versions that took effect since it last ran
and sends each once per subscribed endpoint. The delivery's message id is derived from the
version and the endpoint, so runs that overlap or repeat never send it twice.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rules.models import RuleSetActivation
from webhooks.choices import WebhookEvent
from webhooks.models import WebhookDelivery
from webhooks.selectors import subscribed_endpoints
from webhooks.services.events import delivery_create, envelope
from webhooks.services.payloads import rule_set_event_data

# Versions that took effect this long ago or less are announced (a beat outage longer than
# this loses their announcement; the feed and the rules API still say it).
LOOKBACK = timedelta(days=1)
EVENT = WebhookEvent.RULES_VERSION_EFFECTIVE


def _message_id(activation: RuleSetActivation, endpoint_pk: int) -> str:
    return f"msg_effective_{activation.rule_set_id}_{endpoint_pk}"


def _announce(activation: RuleSetActivation) -> int:
    app = activation.rule_set.app
    endpoints = [
        endpoint
        for endpoint in subscribed_endpoints(app=app, event_type=EVENT)
        if endpoint.created_at <= activation.activated_at
        and not WebhookDelivery.objects.filter(
            message_id=_message_id(activation, endpoint.pk)
        ).exists()
    ]
    if not endpoints:
        return 0
    data = rule_set_event_data(rule_set=activation.rule_set, effective_at=activation.activated_at)
    data["acknowledged"] = activation.acknowledged_source or None
    payload = envelope(event_type=EVENT, data=data, at=activation.activated_at)
    sent = 0
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                message_id = _message_id(activation, endpoint.pk)
                delivery_create(endpoint=endpoint, payload=payload, message_id=message_id)
        except IntegrityError:
            continue  # another run announced it meanwhile
        sent += 1
    return sent


def rule_versions_effective_announce(*, now: datetime | None = None) -> int:
    """Queue ``rules.version_effective`` for the versions that took effect in the last
    ``LOOKBACK``; a version superseded at the moment it took effect is left out (the newer
    one is announced). Return how many deliveries were queued."""
    now = now or timezone.now()
    recent = (
        RuleSetActivation.objects.filter(activated_at__gte=now - LOOKBACK, activated_at__lte=now)
        .select_related("rule_set__app")
        .order_by("rule_set__app_id", "activated_at", "-rule_set__version")
    )
    announced, seen = 0, set()
    for activation in recent:
        moment = (activation.rule_set.app_id, activation.activated_at)
        if moment in seen:
            continue
        seen.add(moment)
        announced += _announce(activation)
    return announced
