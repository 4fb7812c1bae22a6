"""The connectivity pages of the portal: members only (others get 404), links only from
customer admins and recorded in the app's history, reports from the page stored with the
missing rule lines on request."""

import json
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.core.cache import cache

from provisioning.models import ConnectivityReport
from provisioning.services.connectivity_links import SALT, connectivity_link_create
from tests.factories import AppFactory, UserFactory
from tests.provisioning.connectivity.helpers import app_with_rules, ports

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(settings):
    settings.TURN_SHARED_SECRETS = ["secret"]
    settings.TURN_UDP_PORT, settings.TURN_TCP_PORT = 3478, 443
    app = AppFactory()
    app_with_rules(app, {"198.51.100.4": ports(("tcp", 443), ("udp", 3478))})
    return app


def member(app, role):
    user = UserFactory()
    user.memberships.create(customer=app.customer, role=role)
    return user


def test_the_check_page_lists_each_proxy_and_transport(client, app):
    client.force_login(member(app, "viewer"))

    page = client.get(f"/apps/{app.app_id}/connectivity/")

    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert 'data-url="turn:198.51.100.4:3478?transport=udp"' in html
    assert 'data-url="turn:198.51.100.4:443?transport=tcp"' in html
    assert 'data-testid="create-link"' not in html  # viewers can't hand out links


def test_other_customers_and_strangers_see_nothing(client, app):
    client.force_login(member(AppFactory(), "admin"))

    for path in ("connectivity/", "connectivity/probe.py", "connectivity/reports/1/missing/"):
        assert client.get(f"/apps/{app.app_id}/{path}").status_code == 404
    assert client.post(f"/apps/{app.app_id}/connectivity/link/").status_code == 404
    client.logout()
    assert client.get(f"/apps/{app.app_id}/connectivity/").status_code == 302  # sign in
    forged = signing.dumps({"app": app.app_id}, salt="another-salt")
    assert client.get(f"/connectivity/check/{forged}/").status_code == 404


def test_an_admin_creates_a_link_that_is_audited_and_works_signed_out(client, app):
    admin = member(app, "admin")
    client.force_login(admin)

    response = client.post(f"/apps/{app.app_id}/connectivity/link/", follow=True)

    message = str(next(iter(response.context["messages"])))
    link = message.rsplit(": ", 1)[1]
    assert signing.loads(link.rstrip("/").rsplit("/", 1)[1], salt=SALT) == {"app": app.app_id}
    entry = LogEntry.objects.get(object_id=str(app.pk))
    assert entry.user == admin and "connectivity check link" in entry.change_message
    client.logout()
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_a_report_from_the_page_and_its_missing_lines(client, app):
    client.force_login(member(app, "viewer"))
    results = [
        {"destination": "198.51.100.4", "protocol": "udp", "port": 3478, "transport": "udp",
         "reachable": False, "outcome": "timed_out", "ms": 8000},
        {"destination": "198.51.100.4", "protocol": "tcp", "port": 443, "transport": "tcp",
         "reachable": True, "ms": 40},
    ]  # fmt: skip

    response = client.post(
        f"/apps/{app.app_id}/connectivity/report/",
        json.dumps({"version": app.rule_sets.get().version, "results": results}),
        content_type="application/json",
    )

    assert response.status_code == 201
    report = ConnectivityReport.objects.get()
    assert (report.source, report.blocked) == ("browser", 1)
    missing = client.get(f"/apps/{app.app_id}/connectivity/reports/{report.pk}/missing/")
    assert missing.json()["lines"] == [
        f"nft add element inet filter pp_{app.app_id[:12]}_dst4 {{ 198.51.100.4/32 . udp . 3478 }}"
    ]
    csv = client.get(f"/apps/{app.app_id}/connectivity/reports/{report.pk}/missing/?format=csv")
    assert "198.51.100.4/32" in csv.json()["lines"][1] and "tcp" not in csv.json()["lines"][1]
    bad = client.post(
        f"/apps/{app.app_id}/connectivity/report/", "[1]", content_type="application/json"
    )
    assert bad.status_code == 400


def test_the_page_credentials_last_minutes_not_a_day(client, app, settings):
    settings.TURN_CREDENTIAL_TTL = 86400
    client.force_login(member(app, "viewer"))
    page = client.get(f"/apps/{app.app_id}/connectivity/").content.decode()

    data = json.loads(
        page.split('id="check-data" type="application/json">')[1].split("</script>")[0]
    )

    expiry = int(data["username"].split(":")[0])
    assert 0 < expiry - time.time() <= 900
    assert data["username"].endswith(f":{app.app_id}")


def test_a_link_sends_a_few_reports_an_hour(client, app, monkeypatch):
    cache.clear()
    monkeypatch.setattr("provisioning.services.connectivity_links.LINK_REPORTS_PER_HOUR", 2)
    token, _ = connectivity_link_create(app=app, actor=None)
    body = json.dumps({"results": [{"destination": "198.51.100.4", "protocol": "tcp",
                                    "port": 443, "reachable": True}]})  # fmt: skip

    answers = [
        client.post(f"/connectivity/check/{token}/report/", body, content_type="application/json")
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    assert ConnectivityReport.objects.filter(app=app, created_by=None).count() == 2
    forged = client.post(
        f"/connectivity/check/{token}x/report/", body, content_type="application/json"
    )
    assert forged.status_code == 404
