"""Day-two flows in Debian's Chromium: onboarding by sales, API keys after a reload, sign-out.

Each person has their own browser context (their own cookies). E-mail goes to Django's
in-memory outbox, which the live server shares with the test.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import MembershipRole
from accounts.models import ApiKey, Customer, Membership
from tests.factories import MembershipFactory, staff_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
NEW_PASSWORD = "Harbour lights 2024 kites"
TIMEOUT_MS = 15_000


@pytest.fixture
def new_page(browser):
    """Return a function opening a page in a fresh browser context (a different person)."""
    contexts = []

    def open_():
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield open_
    for context in contexts:
        context.close()


def sign_in(page, base_url, username, password, *, admin=False):
    page.goto(base_url + (reverse("admin:login") if admin else reverse("login")))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("[type=submit]").click()
    page.wait_for_load_state()


def test_sales_onboard_a_customer_whose_invited_user_signs_in(live_server, new_page):
    sales = staff_member("sales", username="sam")
    staff = new_page()
    sign_in(staff, live_server.url, sales.username, PASSWORD, admin=True)

    staff.goto(live_server.url + reverse("admin:accounts_customer_add"))
    staff.get_by_label("Name").fill("Harbour Bank")
    staff.get_by_label("Name").press("Tab")
    expect(staff.get_by_label("Slug")).to_have_value("harbour-bank")  # filled from the name
    staff.get_by_label("Contact email").fill("netops@harbour.example")
    staff.locator("input[name=_continue]").click()
    expect(staff.locator(".messagelist")).to_contain_text("was added successfully")
    staff.get_by_test_id("invite-portal-user").click()
    staff.get_by_label("E-mail address").fill("ana@harbour.example")
    staff.get_by_label("Role").select_option("admin")
    staff.get_by_role("button", name="Send invitation").click()
    expect(staff.locator(".messagelist")).to_contain_text("Invitation sent to ana@harbour.example")

    customer = Customer.objects.get(slug="harbour-bank")
    membership = Membership.objects.get(customer=customer)
    assert membership.role == MembershipRole.ADMIN
    assert mail.outbox[-1].to == ["ana@harbour.example"]
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Welcome")).to_be_visible()
    invitee.locator("#id_new_password1").fill(NEW_PASSWORD)
    invitee.locator("#id_new_password2").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set password").click()
    expect(invitee.locator(".messages")).to_contain_text("Your password is set")
    sign_in(invitee, live_server.url, "ana@harbour.example", NEW_PASSWORD)
    expect(invitee.get_by_text("ana@harbour.example")).to_be_visible()
    invitee.get_by_role("link", name="Team").click()
    expect(invitee.get_by_test_id("member-row")).to_contain_text("ana@harbour.example")

    invitee.goto(link)  # the link works once
    expect(invitee.get_by_role("heading", name="Invitation not valid")).to_be_visible()


def test_reloading_after_creating_an_api_key_mints_nothing(live_server, new_page):
    membership = MembershipFactory(role=MembershipRole.ADMIN)
    page = new_page()
    sign_in(page, live_server.url, membership.user.username, PASSWORD)

    page.goto(live_server.url + reverse("portal_api_keys"))
    page.get_by_label("Name").fill("firewall sync")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#new-key-value").inner_text()
    assert secret
    page.reload()
    page.wait_for_load_state()

    assert ApiKey.objects.filter(customer=membership.customer).count() == 1
    expect(page.locator("#new-key-value")).to_have_count(0)
    assert secret not in page.content()
    page.go_back()
    page.wait_for_load_state()
    assert ApiKey.objects.filter(customer=membership.customer).count() == 1


def test_sign_out_by_link_asks_first_then_signs_out(live_server, new_page):
    membership = MembershipFactory(role=MembershipRole.VIEWER)
    page = new_page()
    sign_in(page, live_server.url, membership.user.username, PASSWORD)

    page.goto(live_server.url + "/accounts/logout/")
    expect(page.get_by_role("heading", name="Sign out?")).to_be_visible()
    page.goto(live_server.url + reverse("portal_dashboard"))
    expect(page.get_by_text(membership.user.username)).to_be_visible()  # still signed in

    page.goto(live_server.url + "/accounts/logout/")
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    page.goto(live_server.url + reverse("portal_dashboard"))
    assert page.url.startswith(live_server.url + reverse("login"))
