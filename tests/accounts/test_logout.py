"""Signing out: POST signs out; GET asks first instead of answering an empty 405."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_get_logout_asks_for_confirmation_and_keeps_the_session(client):
    client.force_login(MembershipFactory().user)

    page = client.get("/accounts/logout/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign out?" in html
    assert f'method="post" action="{reverse("logout")}"' in html
    assert client.get(reverse("portal_dashboard")).status_code == 200


def test_post_logout_signs_out(client):
    client.force_login(MembershipFactory().user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 200
    assert b"You are signed out" in response.content
    assert client.get(reverse("portal_dashboard")).status_code == 302


def test_get_logout_when_signed_out_offers_sign_in(client):
    page = client.get("/accounts/logout/")

    assert page.status_code == 200
    assert reverse("login").encode() in page.content
