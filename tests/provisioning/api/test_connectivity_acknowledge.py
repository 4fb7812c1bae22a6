"""A passing connectivity report acknowledges a pending version for the activation gate:
the SDK endpoint then serves it. A failing report, or one that never reached the new
addresses, leaves the version pending."""

import ipaddress

import pytest
from django.core import mail

from provisioning.models import ConnectivityAlert, Region
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_entries, rule_set_latest
from tests.factories import ProxyPoolFactory, UserFactory, request_for, staff_member
from tests.provisioning.api.helpers import api_key_header, sdk_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(reference_data):
    """A request with its test set live and its production set just allocated (pending)."""
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[region], concurrency=100)
    request_allocate_test(request=request)
    request_approve(request=request)
    return request.app


def _tries(rule_set, *, skip_new=False, blocked=()):
    """One try per entry of ``rule_set``: its first address and first port."""
    tries = []
    for entry in rule_set_entries(rule_set=rule_set):
        address = str(next(iter(ipaddress.ip_network(entry.destination))))
        if skip_new and address.startswith("203.0.113."):
            continue
        port = entry.ports[0][0]
        reachable = (address, entry.protocol, port) not in blocked
        tries.append(
            {"destination": address, "protocol": entry.protocol, "port": port,
             "reachable": reachable, "ms": 9}
        )  # fmt: skip
    return tries


def _report(client, app, rule_set, results):
    headers = api_key_header(app.customer, scopes=("rules",), created_by=UserFactory())
    response = client.post(
        f"/api/v1/apps/{app.app_id}/connectivity/reports/",
        {"version": rule_set.version, "source": "probe", "results": results},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_passing_report_acknowledges_a_pending_version(client, announced):
    pending = rule_set_latest(app=announced)
    assert sdk_get(client, announced.app_id, "udp").json()["pending_version"] == pending.version

    _report(client, announced, pending, _tries(pending))

    body = sdk_get(client, announced.app_id, "udp").json()
    assert body["environment"] == "production"
    assert body["version"] == pending.version
    assert body["pending_version"] is None
    assert any(s["address"].startswith("203.0.113.") for s in body["servers"])
    pending.activation.refresh_from_db()
    assert pending.activation.acknowledged_source == "connectivity"


@pytest.mark.parametrize("case", ["one blocked", "new addresses not tried"])
def test_other_reports_leave_the_version_pending(
    client, announced, case, django_capture_on_commit_callbacks
):
    staff_member("ops", email="ops@example.com")
    pending = rule_set_latest(app=announced)
    if case == "one blocked":
        first = _tries(pending)[0]
        results = _tries(
            pending, blocked={(first["destination"], first["protocol"], first["port"])}
        )
    else:
        results = _tries(pending, skip_new=True)

    with django_capture_on_commit_callbacks(execute=True):
        _report(client, announced, pending, results)

    body = sdk_get(client, announced.app_id, "udp").json()
    assert body["environment"] == "test"
    assert body["pending_version"] == pending.version
    pending.activation.refresh_from_db()
    assert pending.activation.acknowledged_at is None
    # A pending version is not what SDKs are served: no ops alert.
    assert not [m for m in mail.outbox if "connectivity check" in m.subject]
    assert not ConnectivityAlert.objects.exists()


def test_a_failing_report_after_activation_alerts_ops_once(
    client, announced, django_capture_on_commit_callbacks
):
    staff_member("ops", email="ops@example.com")
    pending = rule_set_latest(app=announced)
    _report(client, announced, pending, _tries(pending))  # acknowledges: now in effect
    first = _tries(pending)[-1]
    blocked = {(first["destination"], first["protocol"], first["port"])}

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _report(client, announced, pending, _tries(pending, blocked=blocked))

    alerts = [m for m in mail.outbox if "connectivity check" in m.subject]
    assert len(alerts) == 1 and alerts[0].to == ["ops@example.com"]
    assert pending.version in alerts[0].subject
    assert ConnectivityAlert.objects.get().rule_set == pending


def test_the_check_page_tries_the_current_and_the_pending_set(client, announced):
    user = UserFactory()
    user.memberships.create(customer=announced.customer, role="viewer")
    client.force_login(user)

    html = client.get(f"/apps/{announced.app_id}/connectivity/").content.decode()

    servers = sdk_get(client, announced.app_id, "udp").json()["servers"]
    proxies = {s["address"] for s in servers if s["role"] == "proxy"}
    # The test set's proxies (in effect); edge nodes serve no TURN.
    assert proxies and all(f'data-address="{address}"' in html for address in proxies)
    assert not any(f'data-address="{s["address"]}"' in html for s in servers if s["role"] == "edge")
    assert 'data-address="203.0.113.' in html  # the production set, pending
