"""In Debian's Chromium: ops read a failed action on the request's one timeline and type a
port profile one range per line; a customer compares the latest rules with an earlier
version, reads the note staff wrote, downloads an old version in a vendor format, skips the
navigation from the keyboard and reads "what changed" stacked on a phone."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.choices import MembershipRole
from provisioning.choices import ActionRunState, AllocationKind
from provisioning.exceptions import PoolExhausted
from provisioning.failures import action_failure_message
from provisioning.models import PortProfile, Region, RequestActionRun
from provisioning.services.publishing import app_rule_set_publish
from rules.services.notes import rule_set_note_set
from tests.factories import AppFactory, MembershipFactory, request_for, staff_member
from tests.rules.conftest import allocation_release, allocation_with

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
TIMEOUT_MS = 15_000
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def sign_in_(username, *, admin=False, viewport=LAPTOP):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(live_server.url + reverse("admin:login" if admin else "login"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield sign_in_
    for context in contexts:
        context.close()


def test_ops_read_a_failure_on_the_timeline_and_type_ports_per_line(
    reference_data, live_server, sign_in
):
    ops = staff_member("ops", username="olga")
    proxy_request = request_for(regions=[Region.objects.get(code="na")])
    failure = PoolExhausted("Pool na-1 is short by 3 addresses.")
    RequestActionRun.objects.create(
        request=proxy_request, action="approve", task_id="t-1", actor=ops,
        state=ActionRunState.FAILED, finished_at=timezone.now(),
        message=action_failure_message(action="approve", exc=failure),
    )  # fmt: skip
    page = sign_in("olga", admin=True)

    url = reverse("admin:provisioning_provisioningrequest_change", args=[proxy_request.pk])
    page.goto(live_server.url + url)
    timeline = page.get_by_test_id("request-timeline")
    expect(timeline.locator("li")).to_have_count(2)  # submitted, then the failed approval
    failed = timeline.locator("li[data-kind=failure]")
    expect(failed).to_contain_text("Approve production (failed)")
    expect(failed).to_contain_text("Pool na-1 is short by 3 addresses. Add addresses to that pool")
    expect(failed).to_contain_text("then click \u201cApprove production\u201d again.")
    expect(page.get_by_role("heading", name="History")).to_have_count(0)

    profile = PortProfile.objects.get(code="edge")
    page.goto(live_server.url + reverse("admin:provisioning_portprofile_change", args=[profile.pk]))
    expect(page.get_by_label("Ports")).to_have_value("TCP 443 edge")
    page.get_by_label("Ports").fill("TCP 443 edge\nTCP 80-70 edge")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_have_text(
        "Line 2: The last port (70) must not be before the first (80)."
    )
    page.get_by_label("Ports").fill("TCP 443 edge\nUDP 3478-3479 media")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_label("Ports")).to_have_value("TCP 443 edge\nUDP 3478-3479 media")


@pytest.fixture
def three_versions(transactional_db):
    app = AppFactory(name="Teller video")
    MembershipFactory(customer=app.customer, role=MembershipRole.VIEWER, user__username="vic")
    test_set = allocation_with(app, kind=AllocationKind.TEST, addresses=["150.138.153.78"])
    v1 = app_rule_set_publish(app=app)
    allocation_with(app, kind=AllocationKind.PRODUCTION,
                    addresses=["192.0.2.100", "192.0.2.9", "192.0.2.10"])  # fmt: skip
    v2 = app_rule_set_publish(app=app)
    rule_set_note_set(rule_set=v2, text="Your dedicated production set.", actor=staff_member())
    allocation_release(test_set, when=timezone.now())
    v3 = app_rule_set_publish(app=app)
    return app, (v1, v2, v3)


def test_a_customer_compares_versions_and_downloads_an_old_one(
    three_versions, live_server, sign_in
):
    app, (v1, v2, _) = three_versions
    page = sign_in("vic")

    page.goto(live_server.url + reverse("portal_app_detail", args=[app.app_id]))
    expect(page.locator("#what-changed")).to_have_text(f"What changed since {v2.version}")
    page.get_by_label("Compare the latest version with").select_option(v1.version)
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator("#what-changed")).to_have_text(f"What changed since {v1.version}")
    assert f"since={v1.version}" in page.url
    expect(page.get_by_test_id("version-notes")).to_have_text(
        f"{v2.version}: Your dedicated production set."
    )
    production = page.locator("[data-environment=production] td[data-label=Destination]")
    shown = list(dict.fromkeys(production.all_inner_texts()))
    assert shown == ["192.0.2.9/32", "192.0.2.10/32", "192.0.2.100/32"]
    expect(page.locator("[data-environment=test]")).to_contain_text("150.138.153.78")

    history = page.get_by_test_id("rule-history")
    old = history.locator(f"details[data-version='{v1.version}']")
    old.locator("summary").click()
    with page.expect_download() as download:
        old.get_by_role("link", name="FortiGate").click()
    assert v1.version in download.value.suggested_filename

    # The skip link is the first stop from the keyboard and lands in the page's content.
    page.goto(live_server.url + reverse("portal_dashboard"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_what_changed_stacks_on_a_phone(three_versions, live_server, sign_in):
    app, (v1, _, _) = three_versions
    page = sign_in("vic", viewport=PHONE)

    page.goto(
        f"{live_server.url}{reverse('portal_app_detail', args=[app.app_id])}?since={v1.version}"
    )
    row = page.get_by_test_id("rule-changes").locator("tbody tr:not(.group-row)").first
    change, destination = (
        row.locator("td[data-label=Change]"),
        row.locator("td[data-label=Destination]"),
    )
    first, second = change.bounding_box(), destination.bounding_box()
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 2  # one under the other
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
