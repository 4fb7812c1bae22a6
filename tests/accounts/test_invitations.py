"""Onboarding: staff and customer admins invite portal users; invitees set a password."""

import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import MembershipRole
from accounts.models import Membership
from tests.factories import CustomerFactory, MembershipFactory, staff_member

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Tidal basin 2024 kites"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _link() -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def _admin_invite(client, customer, email, role="admin", capture=None):
    url = reverse("admin:accounts_customer_invite", args=[customer.pk])
    with capture(execute=True):
        return client.post(url, {"email": email, "role": role})


@pytest.mark.parametrize("group", ["sales", "ops"])
def test_staff_invite_from_the_customer_page_and_the_invitee_signs_in(
    group, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(name="Acme Bank")
    staff = staff_member(group)
    client = Client()
    client.force_login(staff)

    page = client.get(reverse("admin:accounts_customer_change", args=[customer.pk]))
    assert b'data-testid="invite-portal-user"' in page.content
    response = _admin_invite(
        client, customer, "Ana@Acme.example", capture=django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    membership = Membership.objects.get(customer=customer)
    assert (membership.user.email, membership.role) == ("ana@acme.example", MembershipRole.ADMIN)
    assert mail.outbox[0].to == ["ana@acme.example"]
    assert "Acme Bank" in mail.outbox[0].subject
    entry = LogEntry.objects.get(object_id=str(customer.pk))
    assert (entry.user, entry.change_message) == (
        staff,
        "Invited ana@acme.example to the portal as admin.",
    )

    visitor = Client()
    accept = visitor.post(_link(), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert accept.status_code == 302
    signed_in = visitor.post(
        reverse("login"), {"username": "ana@acme.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert visitor.get(reverse("portal_dashboard")).context["user"] == membership.user


def test_the_link_works_once(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    client = Client()
    client.force_login(staff_member("sales"))
    _admin_invite(client, customer, "bo@x.example", capture=django_capture_on_commit_callbacks)
    link = _link()
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    assert Client().post(link, data).status_code == 302
    again = Client().post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert again.status_code == 404
    assert b"already been used" in again.content


def test_the_link_expires(settings, django_capture_on_commit_callbacks):
    settings.INVITATION_TTL_SECONDS = 3600
    client = Client()
    client.force_login(staff_member("ops"))
    _admin_invite(
        client, CustomerFactory(), "cy@x.example", capture=django_capture_on_commit_callbacks
    )
    link = _link()

    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        response = Client().get(link)

    assert response.status_code == 404
    assert b"expired" in response.content


def test_a_tampered_link_is_refused():
    assert Client().get("/invitations/not-a-token/").status_code == 404


def test_sales_find_portal_users_in_the_membership_picker():
    user = MembershipFactory().user
    client = Client()
    client.force_login(staff_member("sales"))

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": user.username,
            "app_label": "accounts",
            "model_name": "membership",
            "field_name": "user",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [user.username]


@pytest.fixture
def portal_admin():
    return MembershipFactory(role=MembershipRole.ADMIN)


def test_customer_admins_invite_colleagues_in_the_portal(
    portal_admin, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(portal_admin.user)
    customer = portal_admin.customer

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal_team"),
            {"customer": customer.slug, "email": "dee@x.example", "role": "viewer"},
        )

    assert response.status_code == 302 and response["Location"] == reverse("portal_team")
    assert Membership.objects.get(user__email="dee@x.example").role == MembershipRole.VIEWER
    assert LogEntry.objects.filter(
        user=portal_admin.user, change_message="Invited dee@x.example to the portal as viewer."
    ).exists()
    page = client.get(reverse("portal_team")).content.decode()
    assert "dee@x.example" in page and "Invited" in page


def test_customer_admins_remove_colleagues_and_it_is_audited(portal_admin):
    colleague = MembershipFactory(customer=portal_admin.customer, role=MembershipRole.VIEWER)
    client = Client()
    client.force_login(portal_admin.user)

    response = client.post(reverse("portal_member_remove", args=[colleague.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=colleague.pk).exists()
    assert LogEntry.objects.filter(
        user=portal_admin.user, change_message=f"Removed {colleague.user.email} from the portal."
    ).exists()


def test_viewers_cannot_invite_or_remove(portal_admin):
    viewer = MembershipFactory(customer=portal_admin.customer, role=MembershipRole.VIEWER)
    client = Client()
    client.force_login(viewer.user)

    invite = client.post(
        reverse("portal_team"),
        {"customer": portal_admin.customer.slug, "email": "e@x.example", "role": "admin"},
    )
    remove = client.post(reverse("portal_member_remove", args=[portal_admin.pk]))

    assert (invite.status_code, remove.status_code) == (404, 404)
    assert Membership.objects.filter(customer=portal_admin.customer).count() == 2


def test_admins_of_another_customer_cannot_remove(portal_admin):
    stranger = MembershipFactory(role=MembershipRole.ADMIN)
    client = Client()
    client.force_login(stranger.user)

    response = client.post(reverse("portal_member_remove", args=[portal_admin.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=portal_admin.pk).exists()


def test_the_last_admin_stays(portal_admin):
    other_admin = MembershipFactory(customer=portal_admin.customer, role=MembershipRole.ADMIN)
    client = Client()
    client.force_login(other_admin.user)
    client.post(reverse("portal_member_remove", args=[portal_admin.pk]))
    assert not Membership.objects.filter(pk=portal_admin.pk).exists()

    self_removal = client.post(reverse("portal_member_remove", args=[other_admin.pk]))

    assert self_removal.status_code == 302
    assert Membership.objects.filter(pk=other_admin.pk).exists()


def test_inviting_someone_who_has_an_account_gives_access_without_a_new_user(
    portal_admin, django_capture_on_commit_callbacks
):
    existing = MembershipFactory(role=MembershipRole.VIEWER).user
    client = Client()
    client.force_login(portal_admin.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal_team"),
            {"customer": portal_admin.customer.slug, "email": existing.email, "role": "viewer"},
        )

    assert Membership.objects.filter(user=existing, customer=portal_admin.customer).exists()
    assert "/accounts/login/" in mail.outbox[-1].body
    assert "/invitations/" not in mail.outbox[-1].body
