"""A change to a live app, end to end in Debian's Chromium: the customer asks for more
users and another region in the portal, sales review it and ops approve it in the admin,
and the new addresses reach the app page, the firewall rule files and the customer's inbox.

Each person has their own browser context. Celery has no broker here, so queued tasks run
in the web process at commit; e-mail goes to Django's in-memory outbox.
"""

import ipaddress
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import MembershipRole
from provisioning.choices import ChangeStatus
from provisioning.models import ChangeRequest, Region
from provisioning.services.lifecycle import request_approve
from provisioning.services.reference_data import reference_data_load
from tests.factories import (
    AppFactory,
    MembershipFactory,
    ProxyPoolFactory,
    edge_pool,
    request_for,
    staff_member,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
TIMEOUT_MS = 15_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?\b")


@pytest.fixture
def live_app(transactional_db):
    """A customer admin "ana" whose app is live in North America for 200 users."""
    reference_data_load()
    na, eu = Region.objects.get(code="na"), Region.objects.get(code="eu")
    edge_pool(region=na, prefixes=["203.0.113.248/30"])
    ProxyPoolFactory(name="na multi-line", region=na, prefixes=["203.0.113.0/27"])
    edge_pool(region=eu, prefixes=["198.51.100.248/30"])
    ProxyPoolFactory(name="eu multi-line", region=eu, prefixes=["198.51.100.0/27"])
    membership = MembershipFactory(
        role=MembershipRole.ADMIN, user__username="ana", user__email="ana@campus.example"
    )
    app = AppFactory(customer=membership.customer, name="Campus lectures")
    request = request_for(app, regions=[na], concurrency=200)
    request_approve(request=request)
    return request


@pytest.fixture
def open_page(browser, live_server):
    """Return ``open_(username, admin=False)``: a signed-in page in its own context."""
    contexts = []

    def open_(username, *, admin=False):
        context = browser.new_context(
            viewport={"width": 1280, "height": 860}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + (reverse("admin:login") if admin else reverse("login")))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield open_
    for context in contexts:
        context.close()


def covered(addresses: list[str], text: str) -> list[str]:
    """Return the ``addresses`` that some address or network written in ``text`` covers."""
    networks = [ipaddress.ip_network(found, strict=False) for found in ADDRESS.findall(text)]
    return [a for a in addresses if any(ipaddress.ip_address(a) in n for n in networks)]


def test_a_customer_grows_a_live_app_into_another_region_and_ops_apply_it(
    live_app, open_page, live_server
):
    staff_member("sales", username="sam")
    staff_member("ops", username="olga")
    app = live_app.app
    new_na = [f"203.0.113.{n}" for n in (4, 5, 6)]
    new_eu = [f"198.51.100.{n}" for n in range(1, 7)]

    customer = open_page("ana")
    customer.goto(live_server.url + reverse("portal_app_detail", args=[app.app_id]))
    expect(customer.get_by_test_id("endpoint-count")).to_have_text("5")
    customer.get_by_role("link", name="Ask for a change").click()
    expect(customer.get_by_label("Peak concurrent users")).to_have_value("200")
    customer.get_by_label("Peak concurrent users").fill("500")
    customer.get_by_label("Europe (overseas)").check()
    customer.get_by_label("Notes for our team (optional)").fill("Dublin campus opens in May")
    customer.get_by_role("button", name="Submit change").click()
    expect(customer.locator(".messages")).to_contain_text(
        "peak users 200 \u2192 500; add region Europe (eu)"
    )
    change = ChangeRequest.objects.get()
    customer.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    expect(customer.get_by_test_id("change-row")).to_contain_text("Submitted")
    expect(customer.get_by_test_id("request-row")).to_contain_text("Campus lectures")
    customer.screenshot(path=str(SCREENSHOTS / "requests.png"), full_page=True)

    request_page = live_server.url + reverse(
        "admin:provisioning_provisioningrequest_change", args=[live_app.pk]
    )
    sales = open_page("sam", admin=True)
    sales.goto(request_page)
    expect(sales.get_by_test_id("open-change")).to_contain_text("add region Europe (eu)")
    expect(sales.get_by_role("button", name="Approve change")).to_have_count(0)
    sales.get_by_role("button", name="Review change").click()
    expect(sales.get_by_test_id("task-state")).to_have_text("Done")
    expect(sales.get_by_test_id("open-change")).to_contain_text("reviewed")

    mail.outbox.clear()
    ops = open_page("olga", admin=True)
    ops.goto(request_page)
    ops.get_by_role("button", name="Approve change").click()
    expect(ops.get_by_test_id("task-state")).to_have_text("Done")
    expect(ops.locator("#request-timeline")).to_contain_text(f"Change #{change.pk} approved.")
    expect(ops.get_by_test_id("open-change")).to_have_count(0)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED

    customer.goto(live_server.url + reverse("portal_app_detail", args=[app.app_id]))
    endpoints = customer.locator("#endpoints")
    for address in new_na + new_eu:
        expect(endpoints).to_contain_text(address)
    expect(endpoints).to_contain_text("Europe")
    with customer.expect_download() as download_info:
        customer.locator('a[data-format="iptables"]').click()
    rules = Path(download_info.value.path()).read_text()
    assert covered(new_na + new_eu + ["203.0.113.1"], rules) == new_na + new_eu + ["203.0.113.1"]
    with customer.expect_download() as download_info:
        customer.locator('a[data-format="csv"]').click()
    csv = Path(download_info.value.path()).read_text()
    assert covered(new_eu, csv) == new_eu

    customer.goto(live_server.url + reverse("portal_request_detail", args=[live_app.pk]))
    expect(customer.get_by_test_id("change-status")).to_have_text("Applied")
    expect(customer.get_by_test_id("timeline")).to_contain_text(f"Change #{change.pk} approved.")
    (notice,) = [m for m in mail.outbox if "ana@campus.example" in m.to]
    assert covered(new_eu, notice.body) == new_eu
