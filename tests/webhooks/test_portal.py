"""The portal's Webhooks page: admins add an endpoint (secret shown once), disable,
enable, rotate, test, delete it and resend from its delivery log; viewers only read;
other customers see nothing."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from standardwebhooks import Webhook

from tests.factories import AppFactory
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services.endpoints import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def _page(app) -> str:
    return reverse("portal_webhooks", args=[app.app_id])


def _action(endpoint, action) -> str:
    return reverse("portal_webhook_action", args=[endpoint.app.app_id, endpoint.pk, action])


def _shown_secret(html: str) -> str | None:
    match = re.search(r'id="new-webhook-secret">(whsec_[A-Za-z0-9+/=]+)<', html)
    return match.group(1) if match else None


@pytest.fixture
def admin_client(client, app):
    client.force_login(app.customer.memberships.filter(role="admin").first().user)
    return client


def test_adding_an_endpoint_shows_its_secret_once_after_a_redirect(admin_client, app, receiver):
    form = {"url": receiver.url, "events": ["rules.version_published"], "description": "fw"}
    response = admin_client.post(_page(app), form)
    assert response.status_code == 302 and response["Location"] == _page(app)
    endpoint = WebhookEndpoint.objects.get(app=app)

    shown = admin_client.get(_page(app))
    assert _shown_secret(shown.content.decode()) == endpoint.secret
    assert shown["Cache-Control"] == "no-store"
    again = admin_client.get(_page(app)).content.decode()
    assert _shown_secret(again) is None and endpoint.secret not in again
    assert receiver.url in again


def test_form_errors_are_keyed_to_their_fields(admin_client, app, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    response = admin_client.post(_page(app), {"url": "https://192.168.1.10/hook"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="field-url"' in html and "192.168.1.10 is a private address" in html
    assert "Choose at least one event." in html
    assert not WebhookEndpoint.objects.exists()


def test_admins_disable_enable_rotate_test_resend_and_delete(
    admin_client, app, receiver, django_capture_on_commit_callbacks
):
    endpoint, first = webhook_endpoint_create(
        app=app, url=receiver.url, events=["request.status_changed"]
    )
    admin_client.post(_action(endpoint, "disable"))
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "Disabled by" in endpoint.disabled_reason
    admin_client.post(_action(endpoint, "enable"))
    endpoint.refresh_from_db()
    assert endpoint.enabled

    admin_client.post(_action(endpoint, "rotate"))
    secret = _shown_secret(admin_client.get(_page(app)).content.decode())
    assert secret and secret != first

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(_action(endpoint, "test")).status_code == 302
    [received] = receiver.received
    assert Webhook(secret).verify(received.body, received.headers)["type"] == "webhook.test"

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    log = admin_client.get(reverse("portal_webhook_detail", args=[app.app_id, endpoint.pk]))
    html = log.content.decode()
    assert "HTTP 200" in html and delivery.message_id in html and "Resend" in html
    resend = reverse("portal_webhook_resend", args=[app.app_id, endpoint.pk, delivery.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(resend).status_code == 302
    assert len(receiver.received) == 2

    admin_client.post(_action(endpoint, "delete"))
    assert not WebhookEndpoint.objects.exists()
    messages = sorted(LogEntry.objects.values_list("change_message", flat=True))
    assert [message.split(" webhook endpoint")[0] for message in messages] == [
        "Changed",
        "Changed",
        "Deleted",
        "Rotated the secret of",
    ]
    assert sorted(m.rsplit(": ", 1)[-1] for m in messages if m.startswith("Changed")) == [
        "disabled.",
        "enabled.",
    ]


def test_viewers_read_but_change_nothing(client, app):
    endpoint, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/a", events=["request.status_changed"]
    )
    client.force_login(app.customer.memberships.get(role="viewer").user)
    html = client.get(_page(app)).content.decode()
    assert "https://hooks.example.com/a" in html and "Rotate secret" not in html
    assert "Only your company's portal admins" in html
    for action in ("disable", "rotate", "test", "delete"):
        assert client.post(_action(endpoint, action)).status_code == 404
    assert (
        client.post(
            _page(app), {"url": "https://x.example.com/", "events": ["rules.version_published"]}
        ).status_code
        == 404
    )
    endpoint.refresh_from_db()
    assert endpoint.enabled and WebhookEndpoint.objects.count() == 1


def test_other_customers_see_nothing(admin_client, app):
    other = AppFactory()
    endpoint, _ = webhook_endpoint_create(
        app=other, url="https://hooks.example.com/a", events=["request.status_changed"]
    )
    assert admin_client.get(_page(other)).status_code == 404
    detail = reverse("portal_webhook_detail", args=[app.app_id, endpoint.pk])
    assert admin_client.get(detail).status_code == 404
    assert admin_client.post(_action(endpoint, "delete")).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
