"""The webhook API: scope and tenancy, validation messages, the secret shown once,
rotation, test events, the delivery log and resend."""

import pytest
from django.contrib.admin.models import LogEntry
from standardwebhooks import Webhook

from tests.factories import AppFactory, MembershipFactory
from tests.provisioning.api.helpers import api_key_header
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

EVENTS = ["rules.version_published", "request.status_changed"]


def _url(app, *parts) -> str:
    tail = "".join(f"{part}/" for part in parts)
    return f"/api/v1/apps/{app.app_id}/webhooks/{tail}"


def _create(client, app, headers, **body):
    body = {"url": "https://hooks.example.com/proxy", "events": EVENTS, **body}
    return client.post(_url(app), body, content_type="application/json", **headers)


@pytest.fixture
def key(app):
    return api_key_header(app.customer, scopes=["rules"])


def test_an_endpoint_is_created_with_its_secret_shown_only_in_that_answer(client, app, key):
    response = _create(client, app, key, description="firewall sync")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(Webhook(body["secret"])._whsecret) == 32
    assert response["Cache-Control"] == "no-store"
    assert (body["url"], body["events"], body["enabled"]) == (
        "https://hooks.example.com/proxy",
        EVENTS,
        True,
    )
    listed = client.get(_url(app), **key).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    assert "secret" not in client.get(_url(app, body["id"]), **key).json()


def test_api_keys_need_the_rules_scope(client, app):
    headers = api_key_header(app.customer, scopes=["read", "requests"])
    assert client.get(_url(app), **headers).status_code == 403
    assert _create(client, app, headers).status_code == 403


def test_another_customers_app_and_endpoints_are_not_found(client, app, key):
    other = AppFactory()
    other_key = api_key_header(other.customer, scopes=["rules"])
    endpoint_id = _create(client, app, key).json()["id"]
    assert client.get(_url(other), **key).status_code == 404
    assert _create(client, other, key).status_code == 404
    for path in (
        _url(app, endpoint_id),
        _url(app, endpoint_id, "deliveries"),
        _url(app, endpoint_id, "rotate"),
    ):
        assert client.get(path, **other_key).status_code in (404, 405)
        assert client.post(path, **other_key).status_code in (404, 405)
    assert client.delete(_url(app, endpoint_id), **other_key).status_code == 404
    # An endpoint of another app of the caller's is not found under this app either.
    sibling = AppFactory(customer=app.customer)
    assert client.get(_url(sibling, endpoint_id), **key).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def test_viewers_read_and_admins_change_through_the_portal_session(client, app):
    viewer = app.customer.memberships.get(role="viewer").user
    client.force_login(viewer)
    assert client.get(_url(app)).status_code == 200
    refused = _create(client, app, {})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Only the customer's admins may change webhooks."
    admin = MembershipFactory(customer=app.customer).user
    client.force_login(admin)
    assert _create(client, app, {}).status_code == 201
    assert LogEntry.objects.filter(user=admin, change_message__startswith="Added webhook").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "http://hooks.example.com/"}, "url", "Use an https:// URL: plain http is not"),
        ({"url": "https://10.1.2.3/hook"}, "url", "10.1.2.3 is a private address"),
        ({"url": "https://127.0.0.1/hook"}, "url", "127.0.0.1 is a loopback address"),
        ({"url": "https://[fe80::1]/hook"}, "url", "fe80::1 is a link-local address"),
        ({"url": "https://224.0.0.5/hook"}, "url", "224.0.0.5 is a multicast address"),
        ({"url": "ftp://hooks.example.com/"}, "url", "Use an https:// URL."),
        ({"url": "https://user:pw@hooks.example.com/"}, "url", "Leave user names and passwords"),
        ({"url": "https://hooks.example.com/" + "a" * 2000}, "url", "no more than 2000"),
        ({"events": []}, "events", "This list may not be empty."),
        ({"events": ["rules.deleted"]}, "events.0", '"rules.deleted" is not a valid choice.'),
    ],
)
def test_invalid_endpoints_are_refused_with_a_message_on_the_field(
    client, app, key, settings, body, field, message
):
    settings.WEBHOOK_ALLOW_INSECURE_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = False
    response = _create(client, app, key, **body)
    assert response.status_code == 400
    assert any(message in text for text in response.json()["fields"][field]), response.json()
    assert not WebhookEndpoint.objects.exists()


def test_an_app_has_at_most_the_configured_number_of_endpoints(client, app, key, settings):
    settings.WEBHOOK_MAX_ENDPOINTS_PER_APP = 2
    assert [_create(client, app, key).status_code for _ in range(3)] == [201, 201, 400]
    assert "at most 2 webhook endpoints" in _create(client, app, key).json()["fields"]["url"][0]


def test_patch_rotate_test_deliveries_resend_and_delete(
    client, app, key, receiver, django_capture_on_commit_callbacks
):
    created = _create(client, app, key, url=receiver.url).json()
    path = _url(app, created["id"])

    changed = client.patch(path, {"enabled": False}, content_type="application/json", **key)
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    refused = client.post(_url(app, created["id"], "test"), **key)
    assert refused.status_code == 400 and "Enable the endpoint" in refused.json()["message"]
    client.patch(path, {"enabled": True}, content_type="application/json", **key)

    rotated = client.post(_url(app, created["id"], "rotate"), **key)
    assert rotated.status_code == 200
    secret = rotated.json()["secret"]
    assert secret != created["secret"] and rotated.json()["previous_secret_expires_at"]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(app, created["id"], "test"), **key).status_code == 202
    [received] = receiver.received
    assert Webhook(secret).verify(received.body, received.headers)["type"] == "webhook.test"
    assert Webhook(created["secret"]).verify(received.body, received.headers)

    log = client.get(_url(app, created["id"], "deliveries"), **key).json()
    assert log["count"] == 1
    [delivery] = log["results"]
    assert delivery["status"] == "delivered" and delivery["attempts"][0]["status_code"] == 200
    resend = _url(app, created["id"], "deliveries", delivery["id"], "resend")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend, **key).status_code == 202
    assert len(receiver.received) == 2
    assert receiver.received[1].headers["webhook-id"] == received.headers["webhook-id"]
    assert WebhookDelivery.objects.get().attempts.count() == 2

    assert client.delete(path, **key).status_code == 204
    assert client.get(path, **key).status_code == 404
    assert not WebhookDelivery.objects.exists()
