"""Every portal page: anonymous users are sent to sign in; another customer's objects are 404."""

import pytest
from django.urls import reverse

from accounts.services.api_keys import api_key_create
from tests.factories import RegionFactory, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_request(other_app):
    return request_for(other_app, regions=[RegionFactory(code="na")])


@pytest.fixture
def other_key(other_app):
    api_key, _ = api_key_create(customer=other_app.customer, name="theirs", scopes=["read"])
    return api_key


def _pages(app, request_pk):
    return [
        reverse("portal_dashboard"),
        reverse("portal_app_detail", args=[app.app_id]),
        reverse("portal_rules_download", args=[app.app_id, "latest", "nftables"]),
        reverse("portal_request_create"),
        reverse("portal_request_detail", args=[request_pk]),
        reverse("portal_api_keys"),
    ]


def test_anonymous_is_sent_to_sign_in_from_every_page(client, app):
    provisioning_request = request_for(app, regions=[RegionFactory(code="eu")])
    for url in _pages(app, provisioning_request.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}", url


def test_anonymous_cannot_revoke_a_key(client, other_key):
    response = client.post(reverse("portal_api_key_revoke", args=[other_key.pk]))
    assert response.status_code == 302
    other_key.refresh_from_db()
    assert other_key.revoked_at is None


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("portal_app_detail", lambda app, req: [app.app_id]),
        ("portal_rules_download", lambda app, req: [app.app_id, "latest", "nftables"]),
        ("portal_request_detail", lambda app, req: [req.pk]),
    ],
)
def test_another_customers_objects_are_not_found(
    member_client, other_app, other_request, url_name, args
):
    response = member_client.get(reverse(url_name, args=args(other_app, other_request)))
    assert response.status_code == 404
    assert other_app.name.encode() not in response.content
    assert (
        b"We can&#x27;t find that page" in response.content or b"find that page" in response.content
    )


def test_unknown_app_id_is_not_found_like_another_customers(member_client):
    response = member_client.get(reverse("portal_app_detail", args=["f" * 32]))
    assert response.status_code == 404


def test_another_customers_key_cannot_be_revoked(member_client, other_key):
    response = member_client.post(reverse("portal_api_key_revoke", args=[other_key.pk]))
    assert response.status_code == 404
    other_key.refresh_from_db()
    assert other_key.revoked_at is None


def test_dashboard_lists_only_own_apps(member_client, app, other_app):
    response = member_client.get(reverse("portal_dashboard"))
    assert response.status_code == 200
    assert app.app_id.encode() in response.content
    assert other_app.app_id.encode() not in response.content


def test_request_form_offers_only_own_apps(member_client, app, other_app):
    response = member_client.get(reverse("portal_request_create"))
    assert app.app_id.encode() in response.content
    assert other_app.app_id.encode() not in response.content


def test_request_for_another_customers_app_is_refused(member_client, app, other_app):
    region = RegionFactory(code="eu")
    response = member_client.post(
        reverse("portal_request_create"),
        {"app": other_app.app_id, "regions": [region.pk], "concurrency": 100},
    )
    assert response.status_code == 400
    assert "Choose one of your apps." in response.content.decode()
    assert not other_app.requests.exists()


def test_api_keys_page_lists_only_own_keys(member_client, app, other_key):
    mine, _ = api_key_create(customer=app.customer, name="firewall sync", scopes=["rules"])
    content = member_client.get(reverse("portal_api_keys")).content.decode()
    assert mine.prefix in content
    assert other_key.prefix not in content


def test_user_without_customer_sees_empty_states(client, outsider, other_app):
    client.force_login(outsider)
    assert "No apps yet" in client.get(reverse("portal_dashboard")).content.decode()
    form_page = client.get(reverse("portal_request_create")).content.decode()
    assert "No app you can request the proxy for" in form_page
    response = client.post(reverse("portal_api_keys"), {"name": "x", "scopes": ["read"]})
    assert response.status_code == 404


def test_viewer_sees_the_app_but_cannot_request_or_create_keys(client, viewer, app):
    client.force_login(viewer)
    assert client.get(reverse("portal_app_detail", args=[app.app_id])).status_code == 200
    assert app.app_id not in client.get(reverse("portal_request_create")).content.decode()
    response = client.post(
        reverse("portal_api_keys"), {"customer": app.customer.slug, "name": "x", "scopes": ["read"]}
    )
    assert response.status_code == 404
    assert not app.customer.api_keys.exists()
