"""Publish an app's firewall rule set after its live allocations change."""

import ipaddress
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import App
from provisioning.choices import LIVE_ALLOCATION_STATUSES
from provisioning.exceptions import ProvisioningError
from provisioning.locks import advisory_lock
from provisioning.models import AllocatedEndpoint
from provisioning.selectors.allocations import app_live_endpoints
from rules.aggregation import entries_aggregate, source_networks_normalize
from rules.choices import ChangeDisposition
from rules.document import Entry, content_sha256
from rules.models import RuleChange, RuleEntry, RuleSet
from rules.selectors import rule_set_entries
from rules.services.versions import version_next

logger = logging.getLogger(__name__)


def app_entries(*, app: App) -> tuple[Entry, ...]:
    """Return the aggregated entries of an app's live endpoints: those of its served
    request's pending or active sets, so a test set handed over stays until released."""
    rows = app_live_endpoints(app=app).values_list("allocation__kind", "address", "ports")
    return entries_aggregate(rows)


def _stored_entries(rule_set: RuleSet | None) -> dict[str, Entry]:
    if rule_set is None:
        return {}
    return {entry.id: entry for entry in rule_set_entries(rule_set=rule_set)}


def _removal_dates(*, app: App, removed: list[Entry], since, default):
    """Return entry id -> when its removal takes effect: the latest release date (since
    the previous version) of the app's no-longer-live endpoints inside the entry's
    destination; else ``default``, e.g. when a destination was only re-aggregated."""
    released = (
        AllocatedEndpoint.objects.filter(allocation__request__app=app)
        .filter(~Q(live=True) | ~Q(allocation__status__in=LIVE_ALLOCATION_STATUSES))
        .filter(Q(released_at__gte=since) | Q(allocation__released_at__gte=since))
        .values_list("address", "allocation__kind", "released_at", "allocation__released_at")
    )
    latest_release: dict[tuple, object] = {}
    for address, kind, endpoint_released, allocation_released in released:
        when = endpoint_released or allocation_released
        if when is not None and when >= since:
            key = (kind, ipaddress.ip_address(address))
            latest_release[key] = max(when, latest_release.get(key, when))
    dates = {}
    for entry in removed:
        network = entry.network
        if network.num_addresses <= len(latest_release):
            keys = ((entry.environment, ip) for ip in network)  # every address, ends too
            candidates = [latest_release[key] for key in keys if key in latest_release]
        else:
            candidates = [
                when
                for (kind, ip), when in latest_release.items()
                if kind == entry.environment and ip.version == entry.family and ip in network
            ]
        dates[entry.id] = max(candidates) if candidates else default
    return dates


def _changes(*, app, rule_set, latest, new: dict[str, Entry]) -> list:
    """Return the changes from ``latest`` to ``rule_set``: a removal takes effect when its
    allocation was released, an addition or change at once."""
    now = rule_set.created_at
    old = _stored_entries(latest)
    old_sources = latest.source_networks if latest is not None else []
    changes = []
    removed = [entry for key, entry in old.items() if key not in new]
    removal_dates = {}
    if removed:
        removal_dates = _removal_dates(
            app=app, removed=removed, since=latest.created_at, default=now
        )
    for entry in removed:
        changes.append((entry, ChangeDisposition.REMOVED, removal_dates[entry.id], {}))
    for key, entry in new.items():
        before = old.get(key)
        if before is None:
            changes.append((entry, ChangeDisposition.ADDED, now, {}))
            continue
        previous = {}
        if before.purpose != entry.purpose:
            previous["purpose"] = before.purpose
        if old_sources != rule_set.source_networks:
            previous["source_networks"] = old_sources
        if previous:
            changes.append((entry, ChangeDisposition.CHANGED, now, previous))
    return [
        RuleChange(
            rule_set=rule_set,
            disposition=disposition,
            effective_at=effective_at,
            previous=previous,
            **_entry_fields(entry),
        )
        for entry, disposition, effective_at, previous in changes
    ]


def _entry_fields(entry: Entry) -> dict:
    return {
        "entry_id": entry.id,
        "environment": entry.environment,
        "family": entry.family,
        "protocol": entry.protocol,
        "destination": entry.destination,
        "ports": entry.ports_text,
        "purpose": entry.purpose,
    }


@transaction.atomic
def rule_set_publish(*, app: App) -> RuleSet | None:
    """Publish a new version of ``app``'s rule set if its content changed.

    Call it inside the transaction that changes the app's live allocations. Return the
    new version, or None when the content equals the latest version's (or there has never
    been anything to publish). Exports are rendered by a task after the commit.
    """
    # Two publications of one app must not both take the same version number.
    advisory_lock(f"rules.rule_set_publish:{app.pk}")
    entries = app_entries(app=app)
    sources = source_networks_normalize(app.source_networks)
    digest = content_sha256(app_id=app.app_id, source_networks=sources, entries=entries)
    latest = RuleSet.objects.filter(app=app).order_by("-version").first()
    if latest is None and not entries:
        return None
    if latest is not None and latest.sha256 == digest:
        return None

    now = timezone.now()
    rule_set = RuleSet(
        app=app,
        version=version_next(latest=latest.version if latest else None, now=now),
        sha256=digest,
        source_networks=list(sources),
        entry_count=len(entries),
        created_at=now,
    )
    # The database checks (app, version) itself: a query here could not see a concurrent
    # insert, and the IntegrityError below turns a clash into a readable error.
    rule_set.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            rule_set.save()
    except IntegrityError as exc:
        raise ProvisioningError(
            {"version": f"Rule set version {rule_set.version} of {app.app_id} already exists."}
        ) from exc
    RuleEntry.objects.bulk_create(
        RuleEntry(rule_set=rule_set, position=position, **_entry_fields(entry))
        for position, entry in enumerate(entries)
    )
    new = {entry.id: entry for entry in entries}
    RuleChange.objects.bulk_create(_changes(app=app, rule_set=rule_set, latest=latest, new=new))
    _queue_render(rule_set_id=rule_set.pk)
    logger.info("Published rule set %s v%s (%d entries)", app.app_id, rule_set.version, len(new))
    return rule_set


def _queue_render(*, rule_set_id: int) -> None:
    from rules.tasks import rule_exports_render_task

    transaction.on_commit(lambda: rule_exports_render_task.delay(rule_set_id))
