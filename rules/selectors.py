"""Reads of rule sets, their changes and exports."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import App
from rules.choices import ExportStatus
from rules.constants import LATEST, VERSION_PATTERN
from rules.document import Entry, ports_parse
from rules.models import RuleChange, RuleExport, RuleSet


def rule_set_list(*, app: App) -> QuerySet[RuleSet]:
    """Return the app's rule set versions, newest first."""
    return RuleSet.objects.filter(app=app).select_related("app").order_by("-version")


def rule_set_latest(*, app: App) -> RuleSet | None:
    """Return the app's newest rule set version, or None if none was published."""
    return rule_set_list(app=app).first()


def rule_set_get(*, app: App, version: str) -> RuleSet:
    """Return one version of the app's rule set; raise RuleSet.DoesNotExist if there is
    no such version (a malformed version included)."""
    if not isinstance(version, str) or not re.fullmatch(VERSION_PATTERN, version):
        raise RuleSet.DoesNotExist(f"No rule set version {version!r}.")
    return rule_set_list(app=app).get(version=version)


def rule_set_resolve(*, app: App, version: str | None) -> RuleSet:
    """Return the app's rule set ``version``, or its newest one for ``"latest"`` or None.

    Raise RuleSet.DoesNotExist when the app has no such version, or none at all.
    """
    if version is None or version == LATEST:
        rule_set = rule_set_latest(app=app)
        if rule_set is None:
            raise RuleSet.DoesNotExist(f"App {app.app_id} has no published rule set yet.")
        return rule_set
    return rule_set_get(app=app, version=version)


def _change_dict(change: RuleChange) -> dict:
    return {
        "version": change.rule_set.version,
        "id": change.entry_id,
        "disposition": change.disposition,
        "effective_at": change.effective_at.isoformat().replace("+00:00", "Z"),
        "environment": change.environment,
        "family": change.family,
        "protocol": change.protocol,
        "destination": change.destination,
        "ports": change.ports,
        "purpose": change.purpose,
        "previous": change.previous,
    }


def rule_set_changes(*, app: App, since: str) -> dict:
    """Return the changes of every version after ``since``, in the manner of the
    Microsoft 365 endpoints ``changes`` service. ``since="0000000000"`` gives the
    whole history. Raise ValidationError keyed ``since`` for a malformed version."""
    if not isinstance(since, str) or not re.fullmatch(VERSION_PATTERN, since):
        raise ValidationError({"since": "Enter a version as YYYYMMDDNN, e.g. 2026112101."})
    latest = rule_set_latest(app=app)
    changes = _changes(RuleChange.objects.filter(rule_set__app=app, rule_set__version__gt=since))
    return {
        "app_id": app.app_id,
        "since": since,
        "latest": latest.version if latest else None,
        "sha256": latest.sha256 if latest else None,
        "changes": [_change_dict(change) for change in changes],
    }


def _changes(changes: QuerySet[RuleChange]) -> QuerySet[RuleChange]:
    return changes.select_related("rule_set").order_by(
        "rule_set__version", "disposition", "destination", "entry_id"
    )


@dataclass(frozen=True)
class VersionChanges:
    """One published version, the version before it, and what it changed (each change as
    ``GET …/rules/changes/`` gives it)."""

    rule_set: RuleSet
    previous: str | None
    changes: tuple[dict, ...]


def rule_set_versions_changes(*, rule_sets) -> list[VersionChanges]:
    """Return each of ``rule_sets`` (any apps', in the order given) with its changes and
    the version it followed, as the changes API reports them."""
    rule_sets = list(rule_sets)
    by_pk: dict[int, list[dict]] = {rule_set.pk: [] for rule_set in rule_sets}
    for change in _changes(RuleChange.objects.filter(rule_set__in=rule_sets)):
        by_pk[change.rule_set_id].append(_change_dict(change))
    previous = _previous_versions(rule_sets)
    return [
        VersionChanges(rule_set, previous.get(rule_set.pk), tuple(by_pk[rule_set.pk]))
        for rule_set in rule_sets
    ]


def _previous_versions(rule_sets: list[RuleSet]) -> dict[int, str]:
    """Return rule set pk -> the version of its app published just before it."""
    versions: dict[int, list[str]] = {}
    rows = RuleSet.objects.filter(app_id__in={rule_set.app_id for rule_set in rule_sets})
    for app_id, version in rows.order_by("version").values_list("app_id", "version"):
        versions.setdefault(app_id, []).append(version)
    previous = {}
    for rule_set in rule_sets:
        earlier = [v for v in versions.get(rule_set.app_id, ()) if v < rule_set.version]
        if earlier:
            previous[rule_set.pk] = earlier[-1]
    return previous


def rule_sets_published(*, apps, start, end) -> QuerySet[RuleSet]:
    """Return the versions of ``apps`` published in [``start``, ``end``), oldest first."""
    return (
        RuleSet.objects.filter(app__in=apps, created_at__gte=start, created_at__lt=end)
        .select_related("app")
        .order_by("app__name", "app_id", "version")
    )


def rule_set_feed(*, app: App, limit: int) -> list[VersionChanges]:
    """Return the app's last ``limit`` versions, newest first, with their changes."""
    return rule_set_versions_changes(rule_sets=rule_set_list(app=app)[:limit])


def rule_export_get(*, rule_set: RuleSet, format_name: str) -> RuleExport | None:
    """Return the rendered export of ``rule_set`` in ``format_name`` if one is stored."""
    return (
        RuleExport.objects.filter(
            rule_set=rule_set, format_name=format_name, status=ExportStatus.RENDERED
        )
        .select_related("rule_set__app")
        .first()
    )


def rule_set_entries(*, rule_set: RuleSet) -> tuple[Entry, ...]:
    """Return the entries of a stored rule set, in their published order."""
    rows = rule_set.entries.order_by("position").values_list(
        "entry_id", "environment", "protocol", "destination", "ports", "purpose"
    )
    return tuple(
        Entry(
            id=entry_id,
            environment=environment,
            protocol=protocol,
            destination=destination,
            ports=ports_parse(ports),
            purpose=purpose,
        )
        for entry_id, environment, protocol, destination, ports, purpose in rows
    )
