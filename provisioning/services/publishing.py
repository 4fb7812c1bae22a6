"""Publish an app's firewall rules from the endpoints it has live."""

from django.db import transaction
from django.db.models import Q

from accounts.models import App
from core.locks import advisory_lock
from provisioning.choices import LIVE_ALLOCATION_STATUSES
from provisioning.exceptions import ProvisioningError
from provisioning.models import AllocatedEndpoint
from provisioning.services.webhook_events import rule_set_published_emit
from rules.exceptions import RuleSetVersionTaken
from rules.models import RuleSet
from rules.selectors import rule_set_latest
from rules.services.publishing import rule_set_lock_name, rule_set_publish
from rules.services.subscription_mail import rule_set_notice_queue
from rules.snapshots import EndpointRelease, EndpointSnapshot


def _live_snapshots(*, app: App) -> list[EndpointSnapshot]:
    rows = (
        AllocatedEndpoint.objects.served()
        .of_app(app)
        .values_list("allocation__kind", "address", "ports")
    )
    return [
        EndpointSnapshot(environment=kind, address=address, ports=ports)
        for kind, address, ports in rows
    ]


def _releases_since(*, app: App, since) -> list[EndpointRelease]:
    """Return the app's endpoints that left the live set at or after ``since``."""
    rows = (
        AllocatedEndpoint.objects.filter(allocation__request__app=app)
        .filter(~Q(live=True) | ~Q(allocation__status__in=LIVE_ALLOCATION_STATUSES))
        .filter(Q(released_at__gte=since) | Q(allocation__released_at__gte=since))
        .values_list(
            "address",
            "allocation__kind",
            "released_at",
            "allocation__released_at",
            "pool__quarantine_days",
            "dedicated",
        )
    )
    # Only a dedicated address is quarantined; a shared one serves other apps meanwhile.
    return [
        EndpointRelease(
            environment=kind,
            address=address,
            released_at=when,
            quarantine_days=quarantine if dedicated else 0,
        )
        for address, kind, endpoint_released, allocation_released, quarantine, dedicated in rows
        if (when := endpoint_released or allocation_released) is not None
    ]


@transaction.atomic
def app_rule_set_publish(*, app: App) -> RuleSet | None:
    """Publish a new version of ``app``'s rule set from its live endpoints, if it changed.

    Call it inside the transaction that changes the app's live allocations, so the rules
    and the allocations commit together. Return the new version or None.
    """
    # Taken before anything is read: a second publication of the app waits for the first
    # to commit and then reads its allocations, rather than publishing without them.
    advisory_lock(rule_set_lock_name(app=app))
    latest = rule_set_latest(app=app)
    released = _releases_since(app=app, since=latest.created_at) if latest else []
    try:
        rule_set = rule_set_publish(app=app, entries=_live_snapshots(app=app), released=released)
    except RuleSetVersionTaken as exc:
        raise ProvisioningError(exc.message_dict) from exc
    if rule_set is not None:
        rule_set_published_emit(rule_set=rule_set)
        rule_set_notice_queue(rule_set=rule_set)
    return rule_set


def allocations_changed(*, app: App) -> RuleSet | None:
    """Publish a new rule set for ``app``; call it inside the transaction that changed
    the app's live allocations, so the rules and the allocations commit together."""
    return app_rule_set_publish(app=app)
