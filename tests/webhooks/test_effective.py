"""Make-before-break over webhooks: a version adding production addresses is announced when
published, with its future effective date, and again (``rules.version_effective``) once it
takes effect, at that date or on acknowledgement; each exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks import Webhook

from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.choices import AcknowledgementSource
from rules.services.activation import rule_set_activations_due, rule_version_acknowledge
from tests.rules.conftest import allocation_with
from webhooks.choices import WebhookEvent
from webhooks.services.effective import rule_versions_effective_announce
from webhooks.services.endpoints import webhook_endpoint_create

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EVENTS = [WebhookEvent.RULES_VERSION_PUBLISHED, WebhookEvent.RULES_VERSION_EFFECTIVE]


@pytest.fixture
def hook(app, receiver, django_capture_on_commit_callbacks):
    """An endpoint for both rule events; ``run(work)`` runs what commits queue, and
    ``events()`` verifies and returns what the receiver got (at the current clock)."""
    with time_machine.travel(MONDAY - timedelta(hours=1), tick=False):
        _, secret = webhook_endpoint_create(app=app, url=receiver.url, events=EVENTS)
    allocation_with(app, addresses=["150.138.153.78"])

    def run(work, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return work(*args, **kwargs)

    def events():
        bodies = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
        receiver.received.clear()
        return [(body["type"], body["data"]["version"], body["data"]) for body in bodies]

    return run, events


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _publish_production(app, run):
    allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"])
    return run(app_rule_set_publish, app=app)


def test_a_pending_version_is_announced_at_publication_and_when_its_date_passes(app, hook):
    run, events = hook
    with time_machine.travel(MONDAY, tick=False):
        v1 = run(app_rule_set_publish, app=app)
        assert run(rule_versions_effective_announce) == 1  # a test set: in effect at once
        [(kind, version, data), (kind2, version2, _)] = events()
        assert (kind, version, kind2, version2) == (
            "rules.version_published", v1.version, "rules.version_effective", v1.version,
        )  # fmt: skip
        assert data["effective_at"] == _iso(MONDAY)

    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        v2 = _publish_production(app, run)
        assert run(rule_versions_effective_announce) == 0  # pending
        [(kind, version, data)] = events()
        assert (kind, version) == ("rules.version_published", v2.version)
        assert data["effective_at"] == _iso(MONDAY + timedelta(days=4))
        added = [i for i in data["changes"]["items"] if i["disposition"] == "added"]
        assert len(added) == data["changes"]["added"] > 0 and data["previous_version"] == v1.version
        assert {(i["environment"], i["destination"]) for i in added} == {
            ("production", "198.51.100.1/32")
        }
        assert {i["effective_at"] for i in added} == {_iso(MONDAY + timedelta(days=4))}

    with time_machine.travel(MONDAY + timedelta(days=4, seconds=1), tick=False):
        rule_set_activations_due()
        assert run(rule_versions_effective_announce) == 1
        assert run(rule_versions_effective_announce) == 0  # once
        [(kind, version, data)] = events()
        assert (kind, version, data["acknowledged"]) == (
            "rules.version_effective",
            v2.version,
            None,
        )
        assert data["effective_at"] == _iso(MONDAY + timedelta(days=4, seconds=1))


def test_an_acknowledged_version_is_announced_as_in_effect_at_once(app, hook):
    run, events = hook
    with time_machine.travel(MONDAY, tick=False):
        run(app_rule_set_publish, app=app)
        run(rule_versions_effective_announce)
        events()
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        v2 = _publish_production(app, run)
        rule_version_acknowledge(app, v2.version, source=AcknowledgementSource.API)
        assert run(rule_versions_effective_announce) == 1
        published, effective = events()
        assert published[0] == "rules.version_published"
        assert effective[:2] == ("rules.version_effective", v2.version)
        assert effective[2]["acknowledged"] == AcknowledgementSource.API
