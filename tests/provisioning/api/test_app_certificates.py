"""Customers rotate app certificates through the API: API keys with the ``certificates``
scope or customer admins' sessions; every change in the app's history."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.choices import MembershipRole
from accounts.models.app import certificate_fingerprint
from accounts.services.app_tokens import app_token_mint
from tests.factories import AppFactory, CustomerFactory, MembershipFactory
from tests.provisioning.api.helpers import api_key_header, live_set
from tests.provisioning.api.helpers import sdk_get as sdk

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def app(customer):
    return AppFactory(customer=customer, certificate_enabled=True)


@pytest.fixture
def issuer(customer):
    return MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user


@pytest.fixture
def key(customer, issuer):
    return api_key_header(customer, scopes=("read", "certificates"), created_by=issuer)


def url(app, tail=""):
    return f"/api/v1/apps/{app.app_id}/certificates/secondary/{tail}"


def test_rotation_through_the_api_end_to_end(client, app, key, issuer):
    live_set(app)
    old_primary = app.certificate
    in_flight = app_token_mint(app=app, ttl_seconds=600)

    created = client.post(url(app), **key)

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    secret = created.json()["secondary_certificate"]
    assert created.json()["secondary_certificate_fingerprint"] == certificate_fingerprint(secret)
    app.refresh_from_db()
    assert app.secondary_certificate == secret

    promoted = client.post(url(app, "promote/"), **key)

    assert promoted.status_code == 200
    body = promoted.json()
    assert body["certificate_fingerprint"] == certificate_fingerprint(secret)
    assert body["secondary_certificate_fingerprint"] == certificate_fingerprint(old_primary)
    assert secret not in promoted.content.decode()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {in_flight}"}
    assert sdk(client, app.app_id, **bearer).status_code == 200

    removed = client.delete(url(app), **key)

    assert removed.status_code == 200
    assert removed.json()["secondary_certificate_fingerprint"] is None
    assert sdk(client, app.app_id, **bearer).status_code == 401
    entries = LogEntry.objects.filter(content_type__model="app", object_id=str(app.pk)).order_by(
        "pk"
    )
    assert [entry.user_id for entry in entries] == [issuer.pk] * 3
    assert all("(API key " in entry.get_change_message() for entry in entries)


def test_app_detail_shows_fingerprints_never_secrets(client, customer, app):
    body = client.get(f"/api/v1/apps/{app.app_id}/", **api_key_header(customer)).json()

    assert body["certificate_fingerprint"] == certificate_fingerprint(app.certificate)
    assert body["secondary_certificate_fingerprint"] is None
    assert app.certificate not in str(body)


def test_a_key_without_the_certificates_scope_is_403(client, customer, app):
    header = api_key_header(customer, scopes=("read", "rules", "requests"))

    response = client.post(url(app), **header)

    assert response.status_code == 403
    app.refresh_from_db()
    assert app.secondary_certificate == ""


def test_another_customers_app_is_404(client, key):
    other = AppFactory()

    assert client.post(url(other), **key).status_code == 404
    assert client.delete(url(other), **key).status_code == 404
    other.refresh_from_db()
    assert other.secondary_certificate == ""


def test_a_second_secondary_or_a_missing_one_is_400_by_field(client, app, key):
    assert client.delete(url(app), **key).status_code == 400
    assert client.post(url(app, "promote/"), **key).status_code == 400
    client.post(url(app), **key)

    response = client.post(url(app), **key)

    assert response.status_code == 400
    assert "secondary_certificate" in response.json()["fields"]


def test_a_customer_admins_session_may_rotate_a_viewers_may_not(app, customer, client):
    admin = MembershipFactory(customer=customer, role=MembershipRole.ADMIN).user
    viewer = MembershipFactory(customer=customer, role=MembershipRole.VIEWER).user
    client.force_login(viewer)

    refused = client.post(url(app))

    assert refused.status_code == 403
    client.force_login(admin)
    assert client.post(url(app)).status_code == 201
    assert (
        LogEntry.objects.get(content_type__model="app", object_id=str(app.pk)).user_id == admin.pk
    )


def test_signed_out_callers_are_401(client, app):
    response = client.post(url(app))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    app.refresh_from_db()
    assert app.secondary_certificate == ""
