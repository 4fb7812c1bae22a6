"""The customer portal and the staff admin, driven in Debian's Chromium.

Customers and staff use separate browser contexts (separate cookies), as two people on two
machines would. Celery has no broker here, so queued tasks run in the web process at commit.
The run saves the screenshots that docs/screenshots/ holds.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import App, Customer
from accounts.services.api_keys import api_key_create
from provisioning.choices import RequestStatus
from provisioning.models import ProvisioningRequest, ProxyPool
from provisioning.services.demo import DEMO_APP_ID, DEMO_CUSTOMER_SLUG, demo_data_seed
from provisioning.services.lifecycle import request_allocate_test
from tests.factories import AppFactory, MembershipFactory

pytestmark = pytest.mark.e2e

PASSWORD = "portal-e2e-password"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture
def demo(transactional_db):
    """The demo customer (user "demo"), its app with a submitted request, staff "admin"."""
    demo_data_seed(password=PASSWORD)
    return Customer.objects.get(slug=DEMO_CUSTOMER_SLUG)


@pytest.fixture
def open_page(browser, live_server):
    """Return a function that opens a new signed-in page in its own browser context."""
    contexts = []

    def open_(username, *, admin=False, viewport=LAPTOP):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        login = reverse("admin:login") if admin else reverse("login")
        page.goto(f"{live_server.url}{login}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.locator("[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield open_
    for context in contexts:
        context.close()


def shot(page, name, *, mask=()):
    """Save a full-page screenshot to docs/screenshots/, with ``mask`` locators blacked out."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"), full_page=True, mask=list(mask), mask_color="#0d1b2a"
    )


def assert_fits_width(page):
    """Nothing on the page is wider than the viewport (no sideways scrolling of the page)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter(e => !e.closest('.table-wrap, pre') || e.matches('.table-wrap'))
        .map(e => e.tagName + '.' + e.className).slice(0, 8)"""
    )
    assert overflow <= 0, wide


def test_customer_request_shows_field_errors_then_submits(demo, open_page, live_server):
    app = AppFactory(customer=demo, name="Branch kiosks")
    page = open_page("demo")
    expect(page.get_by_role("heading", name="Your apps")).to_be_visible()
    page.get_by_role("link", name="New request").click()

    page.get_by_label("App").select_option(app.app_id)
    page.get_by_label("North America (overseas)").check()
    page.get_by_label("China Telecom").check()
    page.get_by_label("Peak concurrent users").fill("0")
    page.get_by_label("Source networks (optional)").fill("10.1.2.3/8")
    page.get_by_role("button", name="Submit request").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.locator("#field-concurrency .errorlist")).to_have_text(
        "Ensure this value is greater than or equal to 1."
    )
    expect(page.locator("#field-source_networks .errorlist")).to_contain_text(
        "'10.1.2.3/8' is not a network in CIDR notation"
    )
    expect(page.locator("#field-isps .errorlist")).to_contain_text(
        "ISPs apply to domestic (China mainland) regions only"
    )
    # The input the customer typed is kept for correction.
    expect(page.get_by_label("North America (overseas)")).to_be_checked()
    assert not ProvisioningRequest.objects.filter(app=app).exists()
    shot(page, "request-form")

    page.get_by_label("China Telecom").uncheck()
    page.get_by_label("Peak concurrent users").fill("800")
    page.get_by_label("Source networks (optional)").fill("10.0.0.0/8")
    page.get_by_role("button", name="Submit request").click()

    created = ProvisioningRequest.objects.get(app=app)
    expect(page).to_have_url(f"{live_server.url}/requests/{created.pk}/")
    expect(page.get_by_test_id("request-status")).to_have_text("Submitted")
    expect(page.get_by_test_id("timeline")).to_contain_text("Submitted.")
    shot(page, "request")
    assert created.concurrency == 800
    app.refresh_from_db()
    assert app.source_networks == ["10.0.0.0/8"]


def test_staff_allocate_test_set_and_customer_downloads_rules(demo, open_page, live_server):
    provisioning_request = ProvisioningRequest.objects.get(app__app_id=DEMO_APP_ID)
    staff = open_page("admin", admin=True)
    customer = open_page("demo")

    staff.goto(
        live_server.url
        + reverse("admin:provisioning_provisioningrequest_change", args=[provisioning_request.pk])
    )
    staff.get_by_role("button", name="Allocate test set").click()
    expect(staff.get_by_test_id("task-state")).to_have_text("Done")
    expect(staff.get_by_test_id("admin-request-status")).to_have_text("Testing")
    expect(staff.locator("#request-timeline")).to_contain_text("Test set #")
    shot(staff, "admin-request")

    customer.goto(live_server.url)
    expect(customer.locator("tbody tr").first).to_contain_text("Testing")
    shot(customer, "dashboard")
    customer.get_by_role("link", name="Demo video banking").click()
    expect(customer.get_by_test_id("environment")).to_have_text("Test")
    expect(customer.get_by_test_id("request-status")).to_have_text("Testing")
    expect(customer.locator("#endpoints")).to_contain_text("150.138.153.78")
    expect(customer.locator("#endpoints")).to_contain_text("23.236.115.138")
    shot(customer, "app")

    with customer.expect_download() as download_info:
        customer.locator('a[data-format="nftables"]').click()
    download = download_info.value
    portal_bytes = Path(download.path()).read_bytes()
    assert download.suggested_filename.endswith(".nft")
    assert f"{DEMO_APP_ID}".encode() in portal_bytes

    _, raw_key = api_key_create(customer=demo, name="firewall sync", scopes=["rules"])
    api = customer.context.request.get(
        f"{live_server.url}/api/v1/apps/{DEMO_APP_ID}/rules/latest/?format=nftables",
        headers={"Authorization": f"Api-Key {raw_key}"},
    )
    assert api.status == 200
    assert api.body() == portal_bytes


def test_customer_cannot_open_another_customers_app(demo, open_page, live_server):
    other = AppFactory(name="Other customer's app")
    MembershipFactory(customer=other.customer, user__username="other")
    page = open_page("demo")
    response = page.goto(f"{live_server.url}/apps/{other.app_id}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We can't find that page")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(other.name)
    shot(page, "not-found")


def test_staff_approve_production_and_see_it_active(demo, open_page, live_server):
    provisioning_request = ProvisioningRequest.objects.get(app__app_id=DEMO_APP_ID)
    request_allocate_test(request=provisioning_request)
    staff = open_page("admin", admin=True)
    staff.goto(
        live_server.url
        + reverse("admin:provisioning_provisioningrequest_change", args=[provisioning_request.pk])
    )
    expect(staff.get_by_test_id("admin-request-status")).to_have_text("Testing")
    staff.get_by_role("button", name="Approve production").click()

    panel = staff.locator("#task-panel")
    expect(panel).to_be_visible()
    expect(staff.get_by_test_id("task-state")).to_have_text("Done")
    expect(staff.get_by_test_id("task-result")).to_contain_text("active")
    expect(staff.get_by_test_id("admin-request-status")).to_have_text("Active")
    expect(staff.locator("#request-timeline")).to_contain_text("Production set #")
    provisioning_request.refresh_from_db()
    assert provisioning_request.status == RequestStatus.ACTIVE

    staff.goto(live_server.url + reverse("admin:provisioning_proxypool_changelist"))
    expect(staff.locator("#result_list")).to_contain_text("% used")
    shot(staff, "admin-pools")
    pool = ProxyPool.objects.get(name="na multi-line")
    staff.goto(live_server.url + reverse("admin:provisioning_proxypool_change", args=[pool.pk]))
    assert int(staff.get_by_test_id("pool-live").inner_text()) >= 2
    shot(staff, "admin-pool")

    customer = open_page("demo")
    customer.goto(f"{live_server.url}/apps/{DEMO_APP_ID}/")
    expect(customer.get_by_test_id("environment")).to_have_text("Production")
    expect(customer.get_by_test_id("request-status")).to_have_text("Active")
    expect(customer.get_by_test_id("rule-changes")).to_contain_text("Added")


def test_pages_fit_a_phone(demo, open_page, live_server):
    request_allocate_test(request=ProvisioningRequest.objects.get(app__app_id=DEMO_APP_ID))
    page = open_page("demo", viewport=PHONE)
    assert_fits_width(page)
    shot(page, "phone-dashboard")
    for path in (f"/apps/{DEMO_APP_ID}/", "/requests/new/", "/api-keys/"):
        page.goto(f"{live_server.url}{path}")
        assert_fits_width(page)
    page.goto(f"{live_server.url}/apps/{DEMO_APP_ID}/")
    shot(page, "phone-app")
    page.goto(f"{live_server.url}/api-keys/")
    page.get_by_label("Name").fill("firewall sync")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_test_id("new-key")).to_contain_text("the only time it is shown")
    assert_fits_width(page)
    # A key in a committed picture would look like a leaked secret, even from a test database.
    shot(page, "phone-api-keys", mask=[page.locator("#new-key-value")])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    expect(page.locator(".badge-revoked")).to_have_text("Revoked")
    expect(page.get_by_test_id("new-key")).to_have_count(0)


def test_customer_admin_rotates_the_app_certificate_on_a_phone(demo, open_page, live_server):
    page = open_page("demo", viewport=PHONE)
    page.goto(f"{live_server.url}/apps/{DEMO_APP_ID}/")
    app = App.objects.get(app_id=DEMO_APP_ID)
    old_primary = app.certificate_fingerprint

    page.get_by_role("button", name="Generate secondary").click()

    expect(page.get_by_test_id("new-certificate")).to_contain_text("the only time it is shown")
    assert_fits_width(page)
    secret = page.locator("#new-certificate-value").inner_text()
    app.refresh_from_db()
    assert secret == app.secondary_certificate
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Promote to primary").click()
    expect(page.get_by_role("status")).to_contain_text("is now the primary")
    expect(page.get_by_test_id("new-certificate")).to_have_count(0)
    expect(page.get_by_test_id("certificate-secondary")).to_contain_text(old_primary)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text(f"{old_primary} removed")
    expect(page.get_by_role("button", name="Generate secondary")).to_be_visible()
    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (secret, "")


def test_sign_in_error_and_password_reset_pages(browser, demo, live_server):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/apps/{DEMO_APP_ID}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/apps/{DEMO_APP_ID}/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    shot(page, "sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("demo@example.com")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    context.close()
