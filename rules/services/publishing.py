"""Publish an app's firewall rule set from the endpoints it has live."""

import ipaddress
import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import App
from core.locks import advisory_lock
from core.queue import enqueue_on_commit
from rules.aggregation import entries_aggregate, source_networks_normalize
from rules.choices import ChangeDisposition
from rules.document import Entry, content_sha256
from rules.exceptions import RuleSetVersionTaken
from rules.models import RuleChange, RuleEntry, RuleSet
from rules.selectors import rule_set_entries
from rules.services.activation import rule_set_activation_create, rule_set_lock_name
from rules.services.versions import version_next
from rules.snapshots import EndpointRelease, EndpointSnapshot

logger = logging.getLogger(__name__)

# Registered name of rules.tasks.rule_exports_render_task.
RENDER_TASK = "rules.tasks.rule_exports_render_task"


def _stored_entries(rule_set: RuleSet | None) -> dict[str, Entry]:
    if rule_set is None:
        return {}
    return {entry.id: entry for entry in rule_set_entries(rule_set=rule_set)}


def _removal_dates(*, removed: list[Entry], released: Iterable[EndpointRelease], since, default):
    """Return entry id -> when its removal takes effect: the latest release date (since
    the previous version) of the app's no-longer-live endpoints inside the entry's
    destination, plus their quarantine; else ``default``, e.g. when a destination was only
    re-aggregated."""
    latest_release: dict[tuple, object] = {}
    for release in released:
        when = release.released_at
        if when is not None and when >= since:
            # The address stays ours (quarantined) until then: firewalls may keep it.
            when = when + timedelta(days=release.quarantine_days)
            key = (release.environment, ipaddress.ip_address(release.address))
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


def _changes(*, rule_set, latest, new: dict[str, Entry], released) -> list:
    """Return the changes from ``latest`` to ``rule_set``: a removal takes effect when its
    address leaves quarantine, an addition when the version does (dated by the
    activation), a change at once."""
    now = rule_set.created_at
    old = _stored_entries(latest)
    old_sources = latest.source_networks if latest is not None else []
    changes = []
    removed = [entry for key, entry in old.items() if key not in new]
    removal_dates = {}
    if removed:
        removal_dates = _removal_dates(
            removed=removed, released=released, since=latest.created_at, default=now
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
def rule_set_publish(
    *,
    app: App,
    entries: Iterable[EndpointSnapshot],
    released: Iterable[EndpointRelease],
) -> RuleSet | None:
    """Publish a new version of ``app``'s rule set if its content changed.

    ``entries`` are the app's live endpoints; ``released`` those that left the live set
    since the latest version, whose release dates become the removals' effective dates.
    Call it inside the transaction that changes the app's live allocations, holding the
    lock named by ``rule_set_lock_name`` since before those were read. Return the new
    version, or None when the content equals the latest version's (or there has never
    been anything to publish). Exports are rendered by a task after the commit.
    """
    # A second hold in one transaction is free: taking it here means no caller can forget it.
    advisory_lock(rule_set_lock_name(app=app))
    aggregated = entries_aggregate(
        (snapshot.environment, snapshot.address, snapshot.ports) for snapshot in entries
    )
    sources = source_networks_normalize(app.source_networks)
    digest = content_sha256(app_id=app.app_id, source_networks=sources, entries=aggregated)
    latest = RuleSet.objects.filter(app=app).order_by("-version").first()
    if latest is None and not aggregated:
        return None
    if latest is not None and latest.sha256 == digest:
        return None
    rule_set = _rule_set_create(app=app, latest=latest, sources=sources, entries=aggregated,
                                digest=digest)  # fmt: skip
    RuleEntry.objects.bulk_create(
        RuleEntry(rule_set=rule_set, position=position, **_entry_fields(entry))
        for position, entry in enumerate(aggregated)
    )
    new = {entry.id: entry for entry in aggregated}
    changes = _changes(rule_set=rule_set, latest=latest, new=new, released=released)
    # Dates the additions: they take effect when the version does.
    rule_set_activation_create(rule_set=rule_set, changes=changes)
    RuleChange.objects.bulk_create(changes)
    enqueue_on_commit(RENDER_TASK, kwargs={"rule_set_id": rule_set.pk})
    logger.info("Published rule set %s v%s (%d entries)", app.app_id, rule_set.version, len(new))
    return rule_set


def _rule_set_create(*, app, latest, sources, entries, digest) -> RuleSet:
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
        raise RuleSetVersionTaken(
            {"version": f"Rule set version {rule_set.version} of {app.app_id} already exists."}
        ) from exc
    return rule_set
