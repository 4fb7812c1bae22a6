import hashlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.exceptions import UnknownFormat
from rules.models import RuleExport, RuleSet
from rules.selectors import (
    rule_set_changes,
    rule_set_get,
    rule_set_latest,
    rule_set_list,
    rule_set_resolve,
)
from rules.services import exports as export_services
from rules.services.exports import rule_export_get_or_render
from tests.factories import AppFactory
from tests.rules.conftest import EDGE_PORTS, allocation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(app):
    with time_machine.travel(datetime(2026, 11, 21, 8, 0, tzinfo=UTC), tick=False):
        allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
        first = app_rule_set_publish(app=app)
        allocation_with(
            app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"], ports=EDGE_PORTS
        )
        second = app_rule_set_publish(app=app)
    return first, second


def test_list_latest_and_get(app, two_versions):
    first, second = two_versions
    assert list(rule_set_list(app=app)) == [second, first]
    assert rule_set_latest(app=app) == second
    assert rule_set_get(app=app, version="2026112101") == first
    for missing in ("2026112103", "latest; drop", None):
        with pytest.raises(RuleSet.DoesNotExist):
            rule_set_get(app=app, version=missing)
    other = AppFactory()
    assert rule_set_latest(app=other) is None
    with pytest.raises(RuleSet.DoesNotExist):
        rule_set_get(app=other, version=first.version)


def test_changes_since_a_version(app, two_versions):
    first, second = two_versions
    feed = rule_set_changes(app=app, since=first.version)
    assert (feed["latest"], feed["sha256"]) == (second.version, second.sha256)
    assert [(c["version"], c["disposition"], c["destination"]) for c in feed["changes"]] == [
        (second.version, "added", "198.51.100.1/32")
    ]
    everything = rule_set_changes(app=app, since="0000000000")["changes"]
    assert [c["destination"] for c in everything] == ["192.0.2.1/32", "198.51.100.1/32"]
    assert rule_set_changes(app=app, since=second.version)["changes"] == []


def test_resolve_reads_latest_or_the_version_asked_for(app, two_versions):
    first, second = two_versions
    assert rule_set_resolve(app=app, version="latest") == second
    assert rule_set_resolve(app=app, version=None) == second
    assert rule_set_resolve(app=app, version=first.version) == first
    for missing in ("2026112103", "yesterday"):
        with pytest.raises(RuleSet.DoesNotExist):
            rule_set_resolve(app=app, version=missing)


def test_resolve_of_an_app_without_rules_finds_nothing(app):
    with pytest.raises(RuleSet.DoesNotExist):
        rule_set_resolve(app=app, version="latest")


def test_changes_refuse_a_malformed_since(app):
    with pytest.raises(ValidationError) as caught:
        rule_set_changes(app=app, since="yesterday")
    assert "since" in caught.value.message_dict


def test_an_export_is_rendered_on_demand_once_and_then_served_from_storage(app, two_versions):
    _, rule_set = two_versions
    export = rule_export_get_or_render(rule_set=rule_set, format_name="iptables")
    assert export.content.startswith("# Firewall whitelist")
    assert export.sha256 == hashlib.sha256(export.content.encode()).hexdigest()
    assert export.filename == f"rules-{app.app_id}-{rule_set.version}-iptables.rules"
    assert export.mime_type == "text/plain"
    again = rule_export_get_or_render(rule_set=rule_set, format_name="iptables")
    assert again.pk == export.pk
    assert RuleExport.objects.filter(rule_set=rule_set).count() == 1


def test_rendering_twice_gives_the_same_bytes(app, two_versions):
    _, rule_set = two_versions
    first = rule_export_get_or_render(rule_set=rule_set, format_name="nftables")
    RuleExport.objects.all().delete()
    second = rule_export_get_or_render(rule_set=rule_set, format_name="nftables")
    assert (first.sha256, first.content) == (second.sha256, second.content)


def test_a_concurrent_render_of_the_same_format_returns_the_stored_one(
    app, two_versions, monkeypatch
):
    _, rule_set = two_versions
    winner = export_services.rule_export_render(rule_set=rule_set, format_name="json")
    # The loser looked before the winner's row was stored, then meets the unique constraint.
    monkeypatch.setattr(export_services, "_stored_export", lambda **kwargs: None)
    loser = export_services.rule_export_render(rule_set=rule_set, format_name="json")
    assert loser.pk == winner.pk and loser.content == winner.content
    assert RuleExport.objects.filter(rule_set=rule_set, format_name="json").count() == 1


def test_unknown_format_names_the_known_ones(app, two_versions):
    _, rule_set = two_versions
    with pytest.raises(UnknownFormat) as caught:
        rule_export_get_or_render(rule_set=rule_set, format_name="pf")
    assert "iptables" in caught.value.message_dict["format"][0]
