"""The activation gate: when each version's new addresses may reach SDKs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.exceptions import ValidationError

from accounts.services.sdk_generations import app_generation_key
from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.models import RuleSet, RuleSetActivation
from rules.selectors import rule_set_changes, rule_set_in_effect, rule_set_pending
from rules.services.activation import (
    rule_set_activation_shorten,
    rule_set_activations_due,
    rule_version_acknowledge,
)
from rules.services.exports import rule_export_render
from tests.factories import StaffUserFactory, customer_admin
from tests.rules.conftest import allocation_with

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(app):
    return customer_admin(app.customer)


@pytest.fixture
def versions(app):
    """A test set published on Monday, production added a day later (pending)."""
    allocation_with(app, addresses=["150.138.153.78"])
    with time_machine.travel(MONDAY, tick=False):
        v1 = app_rule_set_publish(app=app)
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
        v2 = app_rule_set_publish(app=app)
    return v1, v2


def test_a_test_set_is_in_effect_at_once_and_production_after_the_delay(app, versions):
    v1, v2 = versions
    assert v1.activation.effective_at == MONDAY
    assert v1.activation.activated_at == MONDAY
    assert v2.activation.effective_at == MONDAY + timedelta(days=1, hours=72)
    assert v2.activation.activated_at is None
    at = MONDAY + timedelta(days=2)
    assert rule_set_in_effect(app=app, now=at) == v1
    assert rule_set_pending(app=app, now=at).rule_set == v2
    later = MONDAY + timedelta(days=4, seconds=1)
    assert rule_set_in_effect(app=app, now=later) == v2
    assert rule_set_pending(app=app, now=later) is None


def test_the_delay_is_a_setting(app, settings):
    settings.ACTIVATION_DELAY_PRODUCTION = 1.5
    allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
    with time_machine.travel(MONDAY, tick=False):
        rule_set = app_rule_set_publish(app=app)
    assert rule_set.activation.effective_at == MONDAY + timedelta(minutes=90)
    feed = rule_set_changes(app=app, since="0000000000")
    assert {c["effective_at"] for c in feed["changes"]} == {"2026-11-23T09:30:00Z"}


def test_a_later_version_never_takes_effect_before_a_pending_one(app, versions):
    _, v2 = versions
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        app.source_networks = ["10.0.0.0/8"]  # no addition: no delay of its own
        app.save()
        v3 = app_rule_set_publish(app=app)
    assert v3.activation.effective_at == v2.activation.effective_at


def test_acknowledging_puts_the_version_in_effect_once_and_audits(app, versions, admin_user):
    _, v2 = versions
    cache.set(app_generation_key(app.app_id), "before")
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        activation = rule_version_acknowledge(app, v2.version, source="portal", user=admin_user)
        again = rule_version_acknowledge(app, v2.version, source="api", user=admin_user)
    assert activation.acknowledged_at == MONDAY + timedelta(days=2)
    assert activation.activated_at == MONDAY + timedelta(days=2)
    assert again.acknowledged_source == "portal"
    assert cache.get(app_generation_key(app.app_id)) != "before"
    assert rule_set_in_effect(app=app, now=MONDAY + timedelta(days=2)) == v2
    entry = LogEntry.objects.get(object_id=str(activation.pk))
    assert entry.user == admin_user
    assert f"Acknowledged rule set version {v2.version} (Portal)" in entry.change_message


def test_an_unknown_version_or_source_is_refused(app, versions):
    with pytest.raises(RuleSet.DoesNotExist):
        rule_version_acknowledge(app, "2099010101", source="api")
    with pytest.raises(ValidationError) as raised:
        rule_version_acknowledge(app, versions[1].version, source="fax")
    assert "source" in raised.value.message_dict


def test_staff_shorten_with_a_reason_audited(app, versions):
    _, v2 = versions
    staff = StaffUserFactory()
    with pytest.raises(ValidationError) as raised:
        rule_set_activation_shorten(app=app, effective_at=MONDAY, actor=staff, reason=" ")
    assert "reason" in raised.value.message_dict
    now = MONDAY + timedelta(days=2)
    with time_machine.travel(now, tick=False):
        changed = rule_set_activation_shorten(
            app=app, effective_at=now + timedelta(hours=1), actor=staff, reason="Customer call"
        )
    assert [a.rule_set for a in changed] == [v2]
    v2.activation.refresh_from_db()
    assert v2.activation.effective_at == now + timedelta(hours=1)
    assert v2.activation.shortened_by == staff and v2.activation.activated_at is None
    message = LogEntry.objects.get(object_id=str(v2.activation.pk)).change_message
    assert "brought forward" in message and "Customer call" in message
    with time_machine.travel(now, tick=False):
        rule_set_activation_shorten(app=app, effective_at=now, actor=staff, reason="Now")
    v2.activation.refresh_from_db()
    assert v2.activation.activated_at == now


def test_the_beat_job_puts_due_versions_in_effect_once(app, versions):
    _, v2 = versions
    assert rule_set_activations_due(now=MONDAY + timedelta(days=2)) == 0
    due = v2.activation.effective_at
    assert rule_set_activations_due(now=due) == 1
    assert rule_set_activations_due(now=due) == 0
    assert RuleSetActivation.objects.get(rule_set=v2).activated_at == due


def test_a_dedicated_removal_leaves_the_whitelist_after_quarantine(app):
    production = allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
    with time_machine.travel(MONDAY, tick=False):
        app_rule_set_publish(app=app)
    quarantine = production.endpoints.get().pool.quarantine_days
    released = MONDAY + timedelta(days=5)
    production.endpoints.update(live=False, released_at=released)
    with time_machine.travel(released, tick=False):
        v2 = app_rule_set_publish(app=app)
    removals = v2.changes.filter(disposition="removed")
    assert quarantine > 0 and removals.count() == 3  # TCP signalling, TCP and UDP media
    assert {r.effective_at for r in removals} == {released + timedelta(days=quarantine)}


def test_rule_files_say_when_the_version_reaches_sdks(app, versions):
    v1, v2 = versions
    pending = rule_export_render(rule_set=v2, format_name="iptables").content
    assert (
        "# New addresses reach SDKs from 2026-11-27T08:00:00Z, or once you acknowledge this "
        f"version (POST /api/v1/apps/{app.app_id}/rules/{v2.version}/ack)" in pending
    )
    at_once = rule_export_render(rule_set=v1, format_name="txt").content
    assert "# Every address in this version may reach SDKs at once" in at_once
    assert "New addresses reach SDKs" not in at_once
