"""The browser check page in Chromium against a real coturn on loopback: a relay through
the served coturn passes, a TURN URL nothing listens on does not, the missing rule lines
appear in the chosen format, and the page's results are stored as a report. Visited by a
signed link, without signing in."""

import pytest

from provisioning.models import ConnectivityReport
from provisioning.services.connectivity_links import connectivity_link_create
from tests.e2e.test_turn_coturn import SECRET, turnserver_running
from tests.factories import AppFactory, UserFactory
from tests.provisioning.connectivity.helpers import app_with_rules, ports

pytestmark = pytest.mark.e2e

SERVED, SILENT = "127.0.0.1", "127.0.0.2"  # coturn listens on the first only


@pytest.fixture
def turn_port(settings):
    with turnserver_running() as port:
        settings.TURN_SHARED_SECRETS = [SECRET]
        settings.TURN_UDP_PORT = port
        settings.TURN_TCP_PORT = port
        yield port


def _outcomes(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("td[data-url]")].map(
            (cell) => [cell.closest("tr").dataset.address + " " + cell.dataset.transport,
                       cell.dataset.outcome]))"""
    )


@pytest.mark.django_db(transaction=True)
def test_the_check_page_tells_a_served_relay_from_a_silent_one(live_server, browser, turn_port):
    app = AppFactory()
    rule_set = app_with_rules(
        app,
        {address: ports(("udp", turn_port), ("tcp", turn_port)) for address in (SERVED, SILENT)},
    )
    member = UserFactory()
    member.memberships.create(customer=app.customer, role="admin")
    token, _ = connectivity_link_create(app=app, actor=member)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}/connectivity/check/{token}/")
        page.wait_for_selector("[data-testid=check-status][data-done='1']")

        # Nothing on the silent proxy: TCP is refused at once (blocked); UDP requests go
        # unanswered until the page gives up (timed out).
        assert _outcomes(page) == {
            f"{SERVED} udp": "reachable",
            f"{SERVED} tcp": "reachable",
            f"{SILENT} udp": "timed_out",
            f"{SILENT} tcp": "blocked",
        }
        assert "2 of 4 blocked" in page.locator("[data-testid=check-status]").inner_text()
        lines = page.locator("[data-testid=missing-lines]")
        lines.wait_for(state="visible")
        nft = lines.inner_text()
        assert (
            f"{SILENT}/32 . tcp . {turn_port}" in nft and f"{SILENT}/32 . udp . {turn_port}" in nft
        )
        assert SERVED not in nft
        assert nft.startswith("nft add element inet filter ")

        page.select_option("[data-testid=missing-format]", "iptables")
        page.wait_for_function(
            "() => document.getElementById('missing-lines').textContent.includes('iptables -A')"
        )
        iptables = lines.inner_text().splitlines()
        assert len(iptables) == 2
        assert all(
            f"-d {SILENT}/32" in line and f"--dport {turn_port}" in line for line in iptables
        )
    finally:
        context.close()

    report = ConnectivityReport.objects.get(app=app)
    assert (report.source, report.rule_set, report.passed) == ("browser", rule_set, False)
    assert report.source_address == "127.0.0.1"
    blocked = {(r.destination, r.transport) for r in report.results.exclude(outcome="reachable")}
    assert blocked == {(SILENT, "udp"), (SILENT, "tcp")}
    assert {r.ms is not None for r in report.results.all()} == {True}


@pytest.mark.django_db(transaction=True)
def test_a_tampered_or_expired_link_shows_nothing(live_server, browser, settings):
    app = AppFactory()
    token, _ = connectivity_link_create(app=app, actor=None)
    context = browser.new_context()
    try:
        page = context.new_page()
        tampered = page.goto(f"{live_server.url}/connectivity/check/{token[:-2]}xx/")
        settings.CONNECTIVITY_LINK_TTL_SECONDS = -1
        expired = page.goto(f"{live_server.url}/connectivity/check/{token}/")
    finally:
        context.close()

    assert tampered.status == expired.status == 404


@pytest.mark.django_db(transaction=True)
def test_a_member_runs_the_check_and_the_app_page_shows_it(live_server, browser, turn_port, client):
    app = AppFactory()
    app_with_rules(app, {SERVED: ports(("udp", turn_port), ("tcp", turn_port))})
    viewer = UserFactory()
    viewer.memberships.create(customer=app.customer, role="viewer")
    client.force_login(viewer)
    context = browser.new_context()
    try:
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value,
              "url": live_server.url}]
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}/apps/{app.app_id}/")
        page.click("[data-testid=connectivity-check-link]")
        page.wait_for_selector("[data-testid=check-status][data-done='1']")
        status = page.locator("[data-testid=check-status]").inner_text()
        assert status.startswith("All 2 passed; reported as #"), status
        assert "Nothing is missing" in page.locator("#missing-note").inner_text()

        page.goto(f"{live_server.url}/apps/{app.app_id}/")
        latest = page.locator("[data-testid=connectivity-latest]").inner_text()
    finally:
        context.close()

    assert "passed" in latest and "Browser check" in latest
    report = ConnectivityReport.objects.get(app=app)
    assert report.passed and report.created_by == viewer
