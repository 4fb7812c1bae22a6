"""Customer admins rotate their app certificate in the portal: generate a secondary (shown
once), promote it, remove it; viewers and other customers can't."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models.app import certificate_fingerprint
from tests.factories import AppFactory

pytestmark = pytest.mark.django_db


def page(app):
    return reverse("portal_app_detail", args=[app.app_id])


def post(client, name, app, **kwargs):
    return client.post(reverse(name, args=[app.app_id]), **kwargs)


def shown_secret(html: str) -> str | None:
    match = re.search(r'id="new-certificate-value">([0-9a-f]{32})<', html)
    return match.group(1) if match else None


def test_generate_redirects_and_shows_the_secret_exactly_once(member_client, app):
    response = post(member_client, "portal_certificate_generate", app)

    assert response.status_code == 302
    assert response["Location"] == f"{page(app)}#certificates"
    app.refresh_from_db()
    assert app.secondary_certificate

    shown = member_client.get(page(app))
    html = shown.content.decode()
    assert shown_secret(html) == app.secondary_certificate
    assert shown["Cache-Control"] == "no-store"
    assert f"Secondary certificate {app.secondary_certificate_fingerprint} generated" in html
    assert app.secondary_certificate_fingerprint in html

    again = member_client.get(page(app)).content.decode()
    assert shown_secret(again) is None
    assert app.secondary_certificate not in again
    assert app.certificate not in again


def test_the_primary_secret_is_never_on_the_page(member_client, app):
    html = member_client.get(page(app)).content.decode()

    assert app.certificate not in html
    assert certificate_fingerprint(app.certificate) in html
    assert "Generate secondary" in html


def test_promote_then_remove_rotates_and_each_step_is_audited(member_client, member, app):
    old_primary = app.certificate
    post(member_client, "portal_certificate_generate", app)
    app.refresh_from_db()
    new = app.secondary_certificate
    member_client.get(page(app))  # the secret is shown and forgotten

    promoted = post(member_client, "portal_certificate_promote", app)

    assert promoted.status_code == 302
    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (new, old_primary)
    html = member_client.get(page(app)).content.decode()
    assert f"Certificate {certificate_fingerprint(new)} is now the primary" in html
    assert shown_secret(html) is None

    removed = post(member_client, "portal_certificate_remove", app)

    assert removed.status_code == 302
    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (new, "")
    html = member_client.get(page(app)).content.decode()
    assert f"Secondary certificate {certificate_fingerprint(old_primary)} removed" in html
    entries = LogEntry.objects.filter(content_type__model="app", object_id=str(app.pk)).order_by(
        "pk"
    )
    assert [entry.user_id for entry in entries] == [member.pk] * 3
    assert [entry.get_change_message().split(" ")[0] for entry in entries] == [
        "Generated",
        "Promoted",
        "Removed",
    ]


def test_a_second_generate_is_refused_with_a_message_and_keeps_the_first(member_client, app):
    post(member_client, "portal_certificate_generate", app)
    app.refresh_from_db()
    first = app.secondary_certificate
    member_client.get(page(app))

    response = post(member_client, "portal_certificate_generate", app, follow=True)

    app.refresh_from_db()
    assert app.secondary_certificate == first
    html = response.content.decode()
    assert "already has a secondary certificate" in html
    assert shown_secret(html) is None


@pytest.mark.parametrize("name", ["portal_certificate_promote", "portal_certificate_remove"])
def test_promote_or_remove_without_a_secondary_says_so(member_client, app, name):
    response = post(member_client, name, app, follow=True)

    assert response.status_code == 200
    assert "no secondary certificate" in response.content.decode()
    assert not LogEntry.objects.filter(content_type__model="app", object_id=str(app.pk)).exists()


@pytest.mark.parametrize(
    "name",
    ["portal_certificate_generate", "portal_certificate_promote", "portal_certificate_remove"],
)
def test_changes_are_post_only(member_client, app, name):
    response = member_client.get(reverse(name, args=[app.app_id]))

    assert response.status_code == 405


def test_viewers_see_fingerprints_but_cannot_change_certificates(client, viewer, app):
    client.force_login(viewer)
    html = client.get(page(app)).content.decode()
    assert certificate_fingerprint(app.certificate) in html
    assert "Generate secondary" not in html
    assert "Only your company's portal admins can change certificates." in html

    response = post(client, "portal_certificate_generate", app)

    assert response.status_code == 404
    app.refresh_from_db()
    assert app.secondary_certificate == ""


def test_another_customers_app_is_404(member_client, other_app):
    for name in ("portal_certificate_generate", "portal_certificate_remove"):
        assert post(member_client, name, other_app).status_code == 404
    other_app.refresh_from_db()
    assert other_app.secondary_certificate == ""


def test_a_secret_is_not_shown_on_another_apps_page(member_client, customer, app):
    sibling = AppFactory(customer=customer)
    post(member_client, "portal_certificate_generate", app)

    html = member_client.get(page(sibling)).content.decode()

    assert shown_secret(html) is None
    app.refresh_from_db()
    assert shown_secret(member_client.get(page(app)).content.decode()) == (
        app.secondary_certificate
    )


def test_signed_out_users_are_sent_to_sign_in(client, app):
    response = post(client, "portal_certificate_generate", app)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    app.refresh_from_db()
    assert app.secondary_certificate == ""
