"""The ``data`` of webhook events about rule sets, and absolute links for any event.

Links point at ``PUBLIC_BASE_URL``: a delivery is made by a worker, with no web request
to take the host from.
"""

from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from rules.choices import ChangeDisposition
from rules.models import RuleChange, RuleSet

# Changes listed one by one in a payload; the counts cover all of them.
CHANGES_LISTED_MAX = 100


def absolute_url(name: str, *args) -> str:
    """Return the absolute URL of the view ``name``; "" when there is no such view."""
    try:
        return settings.PUBLIC_BASE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _when(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def rule_set_links(*, app_id: str, version: str, since: str | None) -> dict:
    """Return the links of a rule set version: its API, download, changes and portal page."""
    changes = absolute_url("api:rule-changes", app_id)
    return {
        "versions": absolute_url("api:rule-list", app_id),
        "download": absolute_url("api:rule-download", app_id, version) + "?format=json",
        "changes": f"{changes}?since={since or '0000000000'}",
        "formats": absolute_url("api:format-list"),
        "portal": absolute_url("portal_app_detail", app_id),
    }


def rule_set_change_summary(*, rule_set: RuleSet) -> dict:
    """Return how many entries ``rule_set`` added, removed and changed, and the first
    ``CHANGES_LISTED_MAX`` of them."""
    changes = RuleChange.objects.filter(rule_set=rule_set).order_by(
        "disposition", "destination", "entry_id"
    )
    counts = dict.fromkeys(ChangeDisposition.values, 0)
    for disposition in changes.values_list("disposition", flat=True):
        counts[disposition] += 1
    listed = [
        {
            "id": change.entry_id,
            "disposition": change.disposition,
            "environment": change.environment,
            "protocol": change.protocol,
            "destination": change.destination,
            "ports": change.ports,
            "purpose": change.purpose,
            "effective_at": _when(change.effective_at),
        }
        for change in changes[:CHANGES_LISTED_MAX]
    ]
    return {**counts, "truncated": sum(counts.values()) > len(listed), "items": listed}


def rule_set_event_data(*, rule_set: RuleSet, effective_at: datetime | None = None) -> dict:
    """Return the ``data`` of ``rules.version_published`` and ``rules.version_effective``:
    the version, what changed since the one before, when it takes effect, and links."""
    app = rule_set.app
    previous = (
        RuleSet.objects.filter(app=app, version__lt=rule_set.version)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return {
        "app_id": app.app_id,
        "version": rule_set.version,
        "previous_version": previous,
        "sha256": rule_set.sha256,
        "entry_count": rule_set.entry_count,
        "published_at": _when(rule_set.created_at),
        "effective_at": _when(effective_at or rule_set.created_at),
        "changes": rule_set_change_summary(rule_set=rule_set),
        "links": rule_set_links(app_id=app.app_id, version=rule_set.version, since=previous),
    }
