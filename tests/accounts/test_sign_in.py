"""Sign-in lockout, password reset throttling, and whose reset is whose."""

import base64
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.choices import CustomerStatus, MembershipRole
from tests.factories import MembershipFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.PASSWORD_RESET_RATE_PER_ACCOUNT = 2
    settings.PASSWORD_RESET_RATE_PER_IP = 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


def _sign_in(username, password, *, ip="192.0.2.1", path="/accounts/login/"):
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password})


def test_an_account_is_locked_after_failures_even_from_new_addresses():
    user = MembershipFactory().user
    statuses = [_sign_in(user.username, "wrong", ip=f"192.0.2.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # the third failure reaches the limit

    locked = _sign_in(user.username, PASSWORD, ip="198.51.100.9")

    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content


def test_an_address_is_locked_after_failures_on_many_accounts():
    victim = MembershipFactory().user
    for attempt in range(3):
        _sign_in(f"nobody{attempt}", "wrong", ip="203.0.113.5")

    assert _sign_in(victim.username, PASSWORD, ip="203.0.113.5").status_code == 429
    assert _sign_in(victim.username, PASSWORD, ip="203.0.113.6").status_code == 302


def test_the_admin_sign_in_and_staff_basic_auth_count_too():
    staff = StaffUserFactory()
    for _ in range(3):
        _sign_in(staff.username, "wrong", path="/admin/login/")
    token = base64.b64encode(f"{staff.username}:{PASSWORD}".encode()).decode()

    assert _sign_in(staff.username, PASSWORD, path="/admin/login/").status_code == 429
    basic = Client(REMOTE_ADDR="198.51.100.20").get(
        "/api/v1/pools/", HTTP_AUTHORIZATION=f"Basic {token}"
    )
    assert basic.status_code == 401


def test_a_suspended_customer_s_user_cannot_sign_in_and_loses_the_session():
    membership = MembershipFactory(role=MembershipRole.ADMIN)
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": membership.user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/").status_code == 200

    membership.customer.status = CustomerStatus.SUSPENDED
    membership.customer.save()

    assert client.get("/").status_code == 302
    assert _sign_in(membership.user.username, PASSWORD).status_code == 200  # form again


def _reset(email, *, ip="192.0.2.1", path="/accounts/password_reset/"):
    return Client(REMOTE_ADDR=ip).post(path, {"email": email})


def test_password_reset_is_throttled_per_account_and_per_address():
    user = MembershipFactory().user

    assert [_reset(user.email, ip=f"192.0.2.{n}").status_code for n in range(3)] == [
        302,
        302,
        429,
    ]
    assert len(mail.outbox) == 2
    statuses = [_reset(f"someone{n}@example.com", ip="203.0.113.7").status_code for n in range(5)]
    assert statuses == [302, 302, 302, 302, 429]


def test_staff_reset_their_password_in_the_admin_not_the_portal():
    staff = StaffUserFactory(email="ops@example.com")

    _reset(staff.email)
    assert mail.outbox == []

    response = _reset(staff.email, path=reverse("admin_password_reset"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/admin/password_reset/\S+)", mail.outbox[0].body).group(1)
    client = Client()
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": "A new long secret 42", "new_password2":
                                  "A new long secret 42"})  # fmt: skip
    assert done["Location"] == reverse("admin_password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password("A new long secret 42")


def test_the_admin_sign_in_page_offers_the_reset():
    assert reverse("admin_password_reset").encode() in Client().get("/admin/login/").content


def test_members_still_reset_in_the_portal():
    user = MembershipFactory().user

    _reset(user.email)
    _reset(user.email, path=reverse("admin_password_reset"))

    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
