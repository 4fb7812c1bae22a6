"""Reads of rule sets, their changes and exports."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import App
from rules.choices import ExportStatus
from rules.constants import LATEST, VERSION_PATTERN
from rules.document import Entry, ports_parse
from rules.models import RuleChange, RuleEntry, RuleExport, RuleSet, RuleSetActivation


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
        **rule_set_activation_summary(app=app, now=timezone.now()),
        "changes": [_change_dict(change) for change in changes],
    }


def _timestamp(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def rule_set_activation_summary(*, app: App, now: datetime) -> dict:
    """Return which version SDKs are served (``in_effect``) and the newest version not yet
    in effect with the date it takes effect without an acknowledgement (``pending_version``,
    ``effective_at``; None when nothing is pending)."""
    in_effect = rule_set_in_effect(app=app, now=now)
    pending = rule_set_pending(app=app, now=now)
    return {
        "in_effect": in_effect.version if in_effect else None,
        "pending_version": pending.rule_set.version if pending else None,
        "effective_at": _timestamp(pending.effective_at) if pending else None,
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


def _pending_activations(*, now: datetime) -> QuerySet[RuleSetActivation]:
    # Keep in step with the ``pending`` condition of rule_sets_served.
    return RuleSetActivation.objects.filter(
        activated_at__isnull=True, acknowledged_at__isnull=True, effective_at__gt=now
    )


def _in_effect(*, now: datetime) -> Q:
    return (
        Q(activation__isnull=True)
        | Q(activation__activated_at__isnull=False)
        | Q(activation__acknowledged_at__isnull=False)
        | Q(activation__effective_at__lte=now)
    )


def rule_set_pending(*, app: App, now: datetime) -> RuleSetActivation | None:
    """Return the activation of ``app``'s newest version not yet in effect at ``now`` (its
    new addresses are not served to SDKs yet), or None when every version is."""
    return (
        _pending_activations(now=now)
        .filter(rule_set__app=app)
        .select_related("rule_set__app")
        .order_by("-rule_set__version")
        .first()
    )


def rule_set_pending_list(*, app: App, now: datetime) -> QuerySet[RuleSetActivation]:
    """Return the activations of ``app``'s versions not yet in effect at ``now``, oldest
    first, with who brought them forward."""
    return (
        _pending_activations(now=now)
        .filter(rule_set__app=app)
        .select_related("rule_set", "shortened_by")
        .order_by("rule_set__version")
    )


def production_pending_until(*, app: App, now: datetime) -> datetime | None:
    """Return when ``app``'s production addresses first reach SDKs if none does at ``now``
    and a pending version brings some, else None."""
    in_effect = rule_set_in_effect(app=app, now=now)
    if in_effect is not None and in_effect.entries.filter(environment="production").exists():
        return None
    pending = (
        _pending_activations(now=now)
        .filter(rule_set__app=app, rule_set__entries__environment="production")
        .order_by("rule_set__version")
        .first()
    )
    return pending.effective_at if pending else None


def rule_set_in_effect(*, app: App, now: datetime) -> RuleSet | None:
    """Return ``app``'s newest version in effect at ``now`` (the one SDKs are served)."""
    return rule_set_list(app=app).filter(_in_effect(now=now)).first()


@dataclass(frozen=True)
class ServedRules:
    """What the SDK endpoint may serve an app: the version in effect (None when no version
    is in effect yet) with its entries' (environment, destination), the newest pending
    version and its effective date, and when the version in effect changes next."""

    version: str | None
    destinations: tuple[tuple[str, str], ...]
    pending_version: str | None
    effective_at: datetime | None
    next_change_at: datetime | None


def rule_sets_served(*, app_pks: list[int], now: datetime) -> dict[int, ServedRules]:
    """Return what SDKs may be served of each app at ``now`` (apps that never had a rule
    set left out): one query for the versions, and two for the entries of those in effect.

    Taking effect supersedes every earlier version and effective dates never go down
    between versions, so pending versions are all newer than the one in effect and the
    newest pending version's date is the latest."""
    pending = Q(
        activation__activated_at__isnull=True,
        activation__acknowledged_at__isnull=True,
        activation__effective_at__gt=now,
    )
    rows = (
        RuleSet.objects.filter(app_id__in=app_pks)
        .values("app_id")
        .annotate(
            in_effect=Max("version", filter=_in_effect(now=now)),
            pending=Max("version", filter=pending),
            pending_at=Max("activation__effective_at", filter=pending),
            next_at=Min("activation__effective_at", filter=pending),
        )
        .order_by()
    )
    states = {row["app_id"]: row for row in rows}
    versions = {pk: state["in_effect"] for pk, state in states.items() if state["in_effect"]}
    candidates = RuleSet.objects.filter(
        app_id__in=list(versions), version__in=set(versions.values())
    ).values_list("pk", "app_id", "version")
    ids = {pk: app_pk for pk, app_pk, version in candidates if versions[app_pk] == version}
    destinations: dict[int, list] = {}
    entries = RuleEntry.objects.filter(rule_set_id__in=list(ids)).order_by("position")
    for rule_set_pk, environment, destination in entries.values_list(
        "rule_set_id", "environment", "destination"
    ):
        destinations.setdefault(ids[rule_set_pk], []).append((environment, destination))
    return {
        app_pk: ServedRules(
            version=state["in_effect"],
            destinations=tuple(destinations.get(app_pk, ())),
            pending_version=state["pending"],
            effective_at=state["pending_at"],
            next_change_at=state["next_at"],
        )
        for app_pk, state in states.items()
    }


def rule_set_effective_at(*, rule_set: RuleSet) -> datetime | None:
    """Return when ``rule_set``'s new addresses reach SDKs unless acknowledged before, or
    None when they did at publication."""
    effective_at = (
        RuleSetActivation.objects.filter(rule_set=rule_set)
        .values_list("effective_at", flat=True)
        .first()
    )
    return effective_at if effective_at and effective_at > rule_set.created_at else None
