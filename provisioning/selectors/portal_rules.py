"""The firewall rules section of a customer's app page: the versions with staff's notes and
every format of each, and what changed since a version the customer picks."""

import ipaddress
from dataclasses import dataclass, field
from itertools import groupby

from accounts.models import App
from rules.choices import Environment
from rules.exports.registry import FORMATS
from rules.models import RuleSet
from rules.selectors import rule_set_changes, rule_set_latest, rule_set_list

# Versions listed in the history table; older ones stay downloadable by API.
RULE_HISTORY_LENGTH = 10
# Production first: it is what the customer's firewall must allow for good.
ENVIRONMENT_ORDER = {Environment.PRODUCTION: 0, Environment.TEST: 1}


@dataclass
class ChangeGroup:
    """What changed in one environment, in numeric address order."""

    environment: str
    label: str
    changes: list[dict]


@dataclass
class RulesSummary:
    """The firewall rules section of an app page."""

    latest: RuleSet | None = None
    # The version "what changed" compares the latest with, and those one may pick instead.
    compared: RuleSet | None = None
    earlier: list[RuleSet] = field(default_factory=list)
    history: list[RuleSet] = field(default_factory=list)
    formats: list = field(default_factory=list)
    groups: list[ChangeGroup] = field(default_factory=list)
    # Staff's notes on the versions after ``compared``, newest first: (version, text).
    notes: list[tuple[str, str]] = field(default_factory=list)


def destination_key(destination: str) -> tuple[int, int, int]:
    """Return the numeric sort key of an address or network (IPv4 before IPv6)."""
    try:
        network = ipaddress.ip_network(destination, strict=False)
    except ValueError:
        return (9, 0, 0)
    return (network.version, int(network.network_address), network.prefixlen)


def change_groups(changes: list[dict]) -> list[ChangeGroup]:
    """Return ``changes`` grouped by environment (production first), each group in numeric
    address order, then by protocol and version."""

    def key(change):
        order = ENVIRONMENT_ORDER.get(change["environment"], len(ENVIRONMENT_ORDER))
        return (order, destination_key(change["destination"]), change["protocol"],
                change["version"])  # fmt: skip

    groups = []
    for environment, items in groupby(sorted(changes, key=key), key=lambda c: c["environment"]):
        label = dict(Environment.choices).get(environment, environment.title())
        groups.append(ChangeGroup(environment, label, list(items)))
    return groups


def _notes(*, app: App, after: str) -> list[tuple[str, str]]:
    rows = rule_set_list(app=app).filter(version__gt=after, note__isnull=False)
    return list(rows.values_list("version", "note__text"))


def app_rules_summary(*, app: App, since: str | None = None) -> RulesSummary:
    """Return the app's latest rule set, its history with notes, the formats, and what
    changed since ``since`` (any earlier version; by default the one before the latest)."""
    latest = rule_set_latest(app=app)
    if latest is None:
        return RulesSummary(formats=list(FORMATS.values()))
    versions = rule_set_list(app=app).select_related("note")
    earlier = list(rule_set_list(app=app).filter(version__lt=latest.version))
    compared = next((r for r in earlier if r.version == since), None) or next(iter(earlier), None)
    summary = RulesSummary(
        latest=latest,
        compared=compared,
        earlier=earlier,
        history=list(versions[:RULE_HISTORY_LENGTH]),
        formats=list(FORMATS.values()),
    )
    if compared is not None:
        changes = rule_set_changes(app=app, since=compared.version)["changes"]
        summary.groups = change_groups(changes)
        summary.notes = _notes(app=app, after=compared.version)
    else:
        summary.notes = _notes(app=app, after="0000000000")
    return summary
