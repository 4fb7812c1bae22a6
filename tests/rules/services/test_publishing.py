from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from provisioning.choices import AllocationKind, AllocationStatus
from provisioning.exceptions import ProvisioningError
from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from rules.models import RuleChange, RuleSet
from rules.selectors import rule_set_changes
from rules.services import publishing
from tests.factories import AppFactory
from tests.rules.conftest import (
    EDGE_PORTS,
    allocation_release,
    allocation_with,
)

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def destinations(rule_set):
    return {(e.environment, e.protocol, e.destination, e.ports) for e in rule_set.entries.all()}


def test_an_app_without_allocations_publishes_nothing(app):
    assert app_rule_set_publish(app=app) is None
    assert not RuleSet.objects.exists()


def test_first_publication_numbers_the_version_and_lists_every_entry(app):
    allocation_with(app, addresses=["150.138.153.78"])
    with time_machine.travel(MONDAY, tick=False):
        rule_set = app_rule_set_publish(app=app)
    assert rule_set.version == "2026112301"
    assert rule_set.created_at == MONDAY
    assert destinations(rule_set) == {
        ("test", "tcp", "150.138.153.78/32", "443,4000"),
        ("test", "tcp", "150.138.153.78/32", "3433-3460"),
        ("test", "udp", "150.138.153.78/32", "3478-3500"),
    }
    assert len(rule_set.sha256) == 64


def test_a_change_with_no_effect_publishes_no_version(app):
    allocation_with(app, addresses=["192.0.2.1"])
    first = app_rule_set_publish(app=app)
    # Another allocation whose endpoints are already covered changes nothing for firewalls.
    allocation_with(app, kind=AllocationKind.PRODUCTION, status=AllocationStatus.FAILED,
                    addresses=["192.0.2.50"])  # fmt: skip
    assert app_rule_set_publish(app=app) is None
    assert list(RuleSet.objects.values_list("pk", flat=True)) == [first.pk]


def test_versions_count_up_within_a_day_and_restart_the_next(app):
    with time_machine.travel(MONDAY, tick=False):
        allocation_with(app, addresses=["192.0.2.1"])
        assert app_rule_set_publish(app=app).version == "2026112301"
        allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
        assert app_rule_set_publish(app=app).version == "2026112302"
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        app.source_networks = ["10.0.0.0/8"]
        app.save()
        assert app_rule_set_publish(app=app).version == "2026112401"


def test_ids_stay_stable_across_versions_and_apps(app):
    allocation_with(app, addresses=["192.0.2.1"])
    first = app_rule_set_publish(app=app)
    allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
    second = app_rule_set_publish(app=app)
    ids_first = {(e.destination, e.ports): e.entry_id for e in first.entries.all()}
    ids_second = {(e.destination, e.ports): e.entry_id for e in second.entries.all()}
    assert ids_first.items() <= ids_second.items()
    other = AppFactory()
    allocation_with(other, addresses=["192.0.2.1"])
    assert {e.entry_id for e in app_rule_set_publish(app=other).entries.all()} == set(
        ids_first.values()
    )


def test_sha256_is_reproducible_and_follows_content(app):
    allocation_with(app, addresses=["192.0.2.1"])
    first = app_rule_set_publish(app=app)
    other = AppFactory(app_id="f" * 32)
    allocation_with(other, addresses=["192.0.2.1"])
    with time_machine.travel(MONDAY, tick=False):
        later = app_rule_set_publish(app=other)
    # Same content except the App ID: a different digest; content alone decides it.
    assert later.sha256 != first.sha256
    app.source_networks = ["10.0.0.0/8"]
    app.save()
    changed = app_rule_set_publish(app=app)
    app.source_networks = []
    app.save()
    back = app_rule_set_publish(app=app)
    assert changed.sha256 != first.sha256
    # Back to the first content: a new version with the first version's digest.
    assert back.version > changed.version and back.sha256 == first.sha256


def test_handover_keeps_the_test_set_until_its_release_and_dates_the_removal(app):
    test_set = allocation_with(app, addresses=["150.138.153.78"])
    with time_machine.travel(MONDAY, tick=False):
        v1 = app_rule_set_publish(app=app)
    production_at = MONDAY + timedelta(days=1)
    with time_machine.travel(production_at, tick=False):
        allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
        v2 = app_rule_set_publish(app=app)
    # During the grace period both sets are live, so both are whitelisted.
    assert {env for env, *_ in destinations(v2)} == {"test", "production"}

    released_at = production_at + timedelta(days=7)
    with time_machine.travel(released_at + timedelta(minutes=5), tick=False):
        allocation_release(test_set, when=released_at, status=AllocationStatus.EXPIRED)
        v3 = app_rule_set_publish(app=app)
    assert {env for env, *_ in destinations(v3)} == {"production"}

    feed = rule_set_changes(app=app, since=v1.version)
    assert feed["latest"] == v3.version
    added = [c for c in feed["changes"] if c["disposition"] == "added"]
    removed = [c for c in feed["changes"] if c["disposition"] == "removed"]
    assert {c["version"] for c in added} == {v2.version}
    assert {c["destination"] for c in added} == {"198.51.100.1/32"}
    # A production addition reaches SDKs ACTIVATION_DELAY_PRODUCTION (72 h) after publication.
    assert {c["effective_at"] for c in added} == {"2026-11-27T08:00:00Z"}
    assert {c["version"] for c in removed} == {v3.version}
    assert {c["destination"] for c in removed} == {"150.138.153.78/32"}
    # The removal takes effect on the release date, not when the version was published.
    assert {c["effective_at"] for c in removed} == {"2026-12-01T08:00:00Z"}
    assert {c["id"] for c in removed} == set(v1.entries.values_list("entry_id", flat=True))


def test_removal_without_a_release_date_takes_effect_with_the_version(app):
    allocation = allocation_with(app, addresses=["192.0.2.1"])
    app_rule_set_publish(app=app)
    allocation.endpoints.update(live=False)
    with time_machine.travel(MONDAY, tick=False):
        rule_set = app_rule_set_publish(app=app)
    assert rule_set.entry_count == 0
    assert set(rule_set.changes.values_list("disposition", "effective_at")) == {("removed", MONDAY)}


def test_a_removed_address_splits_its_network_into_removal_and_additions(app):
    allocation = allocation_with(app, addresses=["192.0.2.0", "192.0.2.1"], ports=EDGE_PORTS)
    v1 = app_rule_set_publish(app=app)
    assert destinations(v1) == {("test", "tcp", "192.0.2.0/31", "443")}
    allocation.endpoints.filter(address="192.0.2.1").update(live=False, released_at=MONDAY)
    v2 = app_rule_set_publish(app=app)
    changes = {(c.disposition, c.destination) for c in v2.changes.all()}
    assert changes == {("removed", "192.0.2.0/31"), ("added", "192.0.2.0/32")}


def test_changed_source_networks_are_reported_as_changes(app):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    app_rule_set_publish(app=app)
    app.source_networks = ["10.1.0.0/16"]
    app.save()
    rule_set = app_rule_set_publish(app=app)
    assert rule_set.source_networks == ["10.1.0.0/16"]
    change = rule_set.changes.get()
    assert (change.disposition, change.previous) == ("changed", {"source_networks": []})


def test_versions_are_immutable(app):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    rule_set = app_rule_set_publish(app=app)
    rule_set.sha256 = "0" * 64
    with pytest.raises(ValueError, match="immutable"):
        rule_set.save()
    change = RuleChange.objects.first()
    with pytest.raises(ValueError, match="immutable"):
        change.save()


def test_publication_renders_the_exports_after_commit(app, django_capture_on_commit_callbacks):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    with django_capture_on_commit_callbacks(execute=True):
        rule_set = app_rule_set_publish(app=app)
    assert set(rule_set.exports.values_list("format_name", "status")) == {
        (name, "rendered") for name in FORMATS
    }


def test_a_version_number_taken_concurrently_fails_cleanly(app, monkeypatch):
    """The advisory lock serializes publications on PostgreSQL; the unique constraint on
    (app, version) is the backstop that no code path can get around."""
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    first = app_rule_set_publish(app=app)
    allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
    monkeypatch.setattr(publishing, "version_next", lambda **kwargs: first.version)
    with pytest.raises(ProvisioningError) as caught:
        app_rule_set_publish(app=app)
    assert first.version in caught.value.message_dict["version"][0]
    assert RuleSet.objects.get() == first
