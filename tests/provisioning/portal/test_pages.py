"""What customers see on the dashboard, app, request and API key pages."""

import pytest
from django.urls import reverse

from accounts.models import ApiKey
from accounts.services.api_keys import api_key_create, api_key_hash
from provisioning.models import Region
from provisioning.portal import views as portal_views
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.exceptions import RuleExportFailed
from tests.factories import ProxyPoolFactory, StaffUserFactory, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def testing_request(app, reference_data):
    """A request for China East with its shared test set allocated."""
    region = Region.objects.get(code="cn-east")
    provisioning_request = request_for(app, regions=[region], concurrency=300)
    request_allocate_test(request=provisioning_request)
    return provisioning_request


def test_app_page_shows_environment_endpoints_and_sdk_snippets(member_client, app, testing_request):
    response = member_client.get(reverse("portal_app_detail", args=[app.app_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="environment">Test<' in html
    assert "150.138.153.78" in html
    assert "443, 3433-3460, 4000" in html
    assert "3478-3500" in html
    assert "China East" in html
    assert 'data-testid="rules-version">' in html
    assert 'data-format="nftables"' in html
    assert "This is the first version" in html
    assert "client.startProxyServer(agora.mode);  // 3 or 5" in html
    assert "iceServers: await proxy.iceServers()" in html
    assert f"/api/v1/sdk/proxy-config?app_id={app.app_id}" in html


def test_app_page_without_allocation_explains_what_comes_next(member_client, app):
    html = member_client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()
    assert "No proxy addresses yet" in html
    assert "Request the cloud proxy for this app" in html


def test_dashboard_shows_request_status_and_environment(member_client, app, testing_request):
    html = member_client.get(reverse("portal_dashboard")).content.decode()
    assert f"#{testing_request.pk}" in html
    assert "badge-testing" in html
    assert 'class="badge badge-test">Test<' in html


def test_request_page_shows_the_timeline(member, member_client, testing_request):
    response = member_client.get(reverse("portal_request_detail", args=[testing_request.pk]))
    html = response.content.decode()
    assert f"<title>Request #{testing_request.pk} · Cloud proxy portal</title>" in html
    assert html.count('id="changes"') == 1
    assert "Status history" in html
    assert "Submitted." in html
    assert "China East" in html
    assert "Test set" in html


def test_new_api_key_is_shown_once_and_stored_hashed(member_client, customer):
    response = member_client.post(
        reverse("portal_api_keys"),
        {"customer": customer.slug, "name": "firewall sync", "scopes": ["read", "rules"]},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("portal_api_keys"), 302)]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw_key = response.context["new_key"]["raw"]
    assert raw_key in response.content.decode()
    key = ApiKey.objects.get()
    assert key.key_hash == api_key_hash(raw_key)
    assert key.scopes == ["read", "rules"]
    again = member_client.get(reverse("portal_api_keys")).content.decode()
    assert raw_key not in again
    assert key.prefix in again


def test_api_key_form_errors_are_inline(member_client, customer):
    response = member_client.post(reverse("portal_api_keys"), {"customer": customer.slug})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] == ["Give the key a name so you can tell it apart later."]
    assert errors["scopes"] == ["Choose at least one permission."]
    assert not ApiKey.objects.exists()


def test_api_key_can_be_revoked(member_client, customer):
    member_client.post(
        reverse("portal_api_keys"), {"customer": customer.slug, "name": "ci", "scopes": ["read"]}
    )
    key = ApiKey.objects.get()
    response = member_client.post(reverse("portal_api_key_revoke", args=[key.pk]), follow=True)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in response.content.decode()
    assert "badge-revoked" in response.content.decode()


def test_sign_in_page_is_styled_and_leads_to_the_dashboard(client, member):
    page = client.get(reverse("login")).content.decode()
    assert "portal/portal.css" in page
    assert '<label for="id_username">' in page
    response = client.post(
        reverse("login"), {"username": member.username, "password": "correct horse battery"}
    )
    assert response["Location"] == reverse("portal_dashboard")


def test_wrong_password_is_explained(client, member):
    response = client.post(reverse("login"), {"username": member.username, "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_reset_sends_a_link(client, member, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": member.email})
    assert response["Location"] == reverse("password_reset_done")
    [mail] = mailoutbox
    assert mail.to == [member.email]
    assert "/accounts/reset/" in mail.body
    assert "portal/portal.css" in client.get(reverse("password_reset_done")).content.decode()


def test_sign_out_ends_the_session(member_client):
    response = member_client.post(reverse("logout"))
    assert "You are signed out" in response.content.decode()
    assert member_client.get(reverse("portal_dashboard")).status_code == 302


def test_rules_download_equals_the_api_download(member_client, client, app, testing_request):
    latest = reverse("portal_rules_download", args=[app.app_id, "latest", "nftables"])
    portal = member_client.get(latest)
    assert portal.status_code == 200
    assert portal["Content-Disposition"].startswith(f'attachment; filename="rules-{app.app_id}-')
    _, raw_key = api_key_create(customer=app.customer, name="sync", scopes=["rules"])
    api = client.get(
        f"/api/v1/apps/{app.app_id}/rules/latest/",
        {"format": "nftables"},
        HTTP_AUTHORIZATION=f"Api-Key {raw_key}",
    )
    assert api.status_code == 200
    assert portal.content == api.content
    assert b"150.138.153.78" in portal.content


def test_unknown_format_or_version_is_not_found(member_client, app, testing_request):
    for args in (
        [app.app_id, "latest", "excel"],
        [app.app_id, "2001010101", "json"],
        [app.app_id, "yesterday", "json"],
    ):
        assert member_client.get(reverse("portal_rules_download", args=args)).status_code == 404


def test_app_page_shows_what_changed_and_the_history_after_approval(
    member_client, app, reference_data
):
    na = Region.objects.get(code="na")
    ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"], capacity_per_address=500)
    provisioning_request = request_for(app, regions=[na], concurrency=400)
    request_allocate_test(request=provisioning_request)
    request_approve(request=provisioning_request)
    html = member_client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()
    assert 'data-testid="environment">Production<' in html
    assert 'data-testid="rule-changes"' in html
    assert "+ Added" in html
    assert "203.0.113." in html
    assert html.count('<span class="badge badge-active">latest</span>') == 1
    history = html[html.index("Version history") :]
    assert history.count("/rules/20") >= 6  # two versions, three links each


def test_a_failed_export_is_explained_on_the_app_page(
    member_client, app, testing_request, monkeypatch
):
    def failing(**kwargs):
        raise RuleExportFailed("The nftables file lacks 150.138.153.78.")

    monkeypatch.setattr(portal_views, "rule_export_get_or_render", failing)
    url = reverse("portal_rules_download", args=[app.app_id, "latest", "nftables"])
    response = member_client.get(url, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/apps/{app.app_id}/#rules")
    assert "could not be produced: The nftables file lacks 150.138.153.78." in (
        response.content.decode()
    )


def test_password_reset_link_sets_a_new_password(client, member, mailoutbox):
    client.post(reverse("password_reset"), {"email": member.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(link.strip(), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    member.refresh_from_db()
    assert member.check_password("a fresh long passphrase")
    reused = client.get(link.strip(), follow=True).content.decode()
    assert "This link no longer works" in reused


def test_staff_without_customer_is_pointed_to_the_admin(client):
    client.force_login(StaffUserFactory())
    html = client.get(reverse("portal_dashboard")).content.decode()
    assert "signed in as staff" in html
    assert reverse("admin:index") in html
