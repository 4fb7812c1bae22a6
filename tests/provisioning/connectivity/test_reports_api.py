"""Connectivity reports through the API: stored as sent when every try is one of the
version's entries, refused whole otherwise; tenants see only their own; failing reports
on the live version e-mail ops once."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail

from provisioning.models import ConnectivityAlert, ConnectivityReport
from tests.factories import AppFactory, UserFactory, staff_member
from tests.provisioning.api.helpers import api_key_header
from tests.provisioning.connectivity.helpers import app_with_rules, ports

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "198.51.100.4": ports(("tcp", 443), ("udp", 3478, 3490)),
    "2001:db8::10": ports(("tcp", 443)),
}


def url(app, tail="reports/"):
    return f"/api/v1/apps/{app.app_id}/connectivity/{tail}"


def results(blocked=()):
    tries = [
        ("198.51.100.4", "tcp", 443),
        ("198.51.100.4", "udp", 3478),
        ("198.51.100.4", "udp", 3484),
        ("198.51.100.4", "udp", 3490),
        ("2001:db8:0::10", "tcp", 443),
    ]
    return [
        {"destination": d, "protocol": p, "port": port, "reachable": (d, p, port) not in blocked,
         "ms": 12}
        for d, p, port in tries
    ]  # fmt: skip


@pytest.fixture
def app():
    app = AppFactory()
    app_with_rules(app, ENDPOINTS)
    return app


@pytest.fixture
def headers(app):
    return api_key_header(app.customer, scopes=("rules",), created_by=UserFactory())


def post(client, app, headers, body):
    return client.post(url(app), body, content_type="application/json", **headers)


def test_a_probe_report_is_stored_with_its_version_and_network(client, app, headers):
    version = app.rule_sets.get().version

    response = post(client, app, headers, {"source": "probe", "results": results()})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == version
    assert (body["passed"], body["tried"], body["blocked"]) == (True, 5, 0)
    assert body["source_address"] == "127.0.0.1"
    # Addresses are stored canonical.
    assert body["results"][-1]["destination"] == "2001:db8::10"
    report = ConnectivityReport.objects.get()
    assert report.api_key is not None and report.rule_set.version == version
    assert LogEntry.objects.filter(change_message__contains=f"report #{report.pk}").exists()


def test_reports_are_listed_newest_first_with_pages(client, app, headers):
    post(client, app, headers, {"source": "probe", "results": results()})
    blocked = {("198.51.100.4", "udp", 3490)}
    post(client, app, headers, {"source": "browser", "results": results(blocked)})

    body = client.get(url(app), **headers).json()

    assert body["count"] == 2
    assert [r["source"] for r in body["results"]] == ["browser", "probe"]
    assert body["results"][0]["blocked"] == 1


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"destination": "198.51.100.5", "protocol": "tcp", "port": 443}, "not in this rule set"),
        ({"destination": "198.51.100.4", "protocol": "tcp", "port": 3478}, "not in this rule set"),
        ({"destination": "198.51.100.4", "protocol": "udp", "port": 3491}, "not in this rule set"),
        ({"destination": "2001:db8::10", "protocol": "udp", "port": 443}, "not in this rule set"),
    ],
)
def test_a_try_outside_the_entries_refuses_the_whole_report(client, app, headers, item, message):
    body = {"source": "probe", "results": [*results(), {**item, "reachable": True}]}

    response = post(client, app, headers, body)

    assert response.status_code == 400
    assert message in str(response.json()["fields"]["results"])
    assert not ConnectivityReport.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"destination": "not-an-address"},
        {"port": 0},
        {"port": 70000},
        {"port": True},
        {"protocol": "icmp"},
        {"reachable": "perhaps"},
        {"ms": -1},
        {"ms": 10**9},
        {"outcome": "timed_out", "reachable": True},
    ],
)
def test_malformed_tries_are_refused(client, app, headers, bad):
    body = {"source": "probe", "results": [{**results()[0], **bad}]}

    response = post(client, app, headers, body)

    assert response.status_code == 400, response.json()
    assert not ConnectivityReport.objects.exists()


def test_repeated_tries_too_many_tries_and_unknown_versions_are_refused(client, app, headers):
    twice = post(client, app, headers, {"source": "probe", "results": results() * 2})
    many = post(client, app, headers, {"source": "probe", "results": results() * 1000})
    unknown = post(
        client, app, headers, {"source": "probe", "version": "2001010101", "results": results()}
    )

    assert twice.status_code == many.status_code == unknown.status_code == 400
    assert "twice" in str(twice.json()["fields"]["results"])
    assert "version" in unknown.json()["fields"]
    assert not ConnectivityReport.objects.exists()


def test_other_customers_apps_are_not_found_and_the_rules_scope_is_needed(client, app, headers):
    other = AppFactory()
    app_with_rules(other, ENDPOINTS)
    read_only = api_key_header(app.customer, scopes=("read",))

    assert client.get(url(other), **headers).status_code == 404
    assert (
        post(client, other, headers, {"source": "probe", "results": results()}).status_code == 404
    )
    assert client.get(url(other, "probe.py"), **headers).status_code == 404
    assert client.get(url(app), **read_only).status_code == 403
    assert not ConnectivityReport.objects.exists()


def test_a_failing_report_on_the_live_version_alerts_ops_once(
    client, app, headers, django_capture_on_commit_callbacks
):
    staff_member("ops", email="ops@example.com")
    staff_member("sales", email="sales@example.com")
    blocked = {("198.51.100.4", "udp", 3478)}

    with django_capture_on_commit_callbacks(execute=True):
        post(client, app, headers, {"source": "probe", "results": results()})
    assert mail.outbox == []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, app, headers, {"source": "probe", "results": results(blocked)})
        assert response.status_code == 201

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.com"]
    assert app.app_id in message.subject
    assert "udp 198.51.100.4 port 3478: blocked" in message.body
    assert ConnectivityAlert.objects.count() == 1


def test_a_customer_session_may_report(client, app):
    user = UserFactory()
    user.memberships.create(customer=app.customer, role="viewer")
    client.force_login(user)

    response = client.post(
        url(app), {"source": "browser", "results": results()}, content_type="application/json"
    )

    assert response.status_code == 201
    assert ConnectivityReport.objects.get().created_by == user
