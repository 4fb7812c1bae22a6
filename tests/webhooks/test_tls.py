"""Deliveries over HTTPS verify the receiver's certificate against the URL's host name,
although the connection goes to the address resolved and checked beforehand."""

import ssl
import subprocess

import pytest
from standardwebhooks import Webhook

from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookDelivery
from webhooks.services.endpoints import webhook_endpoint_create
from webhooks.services.events import webhook_test_send

pytestmark = pytest.mark.django_db


def _self_signed(directory, name: str, alt_name: str):
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
         "-addext", f"subjectAltName={alt_name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """A receiver whose certificate names ``localhost``, trusted through SSL_CERT_FILE."""
    key, cert = _self_signed(tmp_path, "receiver", "DNS:localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = Receiver(tls=context).start()
    yield server
    server.stop()


def _deliver(app, url, capture):
    endpoint, secret = webhook_endpoint_create(app=app, url=url, events=["request.status_changed"])
    with capture(execute=True):
        webhook_test_send(endpoint=endpoint)
    return WebhookDelivery.objects.get(endpoint=endpoint).attempts.get(), secret


def test_a_trusted_certificate_for_the_urls_host_is_delivered_to(
    app, tls_receiver, django_capture_on_commit_callbacks
):
    url = f"https://localhost:{tls_receiver.port}/hooks/proxy"
    attempt, secret = _deliver(app, url, django_capture_on_commit_callbacks)
    assert (attempt.succeeded, attempt.status_code) == (True, 200)
    [received] = tls_receiver.received
    assert received.headers["Host"] == f"localhost:{tls_receiver.port}"
    assert Webhook(secret).verify(received.body, received.headers)["type"] == "webhook.test"


def test_a_certificate_for_another_name_is_refused(
    app, tls_receiver, django_capture_on_commit_callbacks
):
    # The address is the same; the name in the URL is not the certificate's.
    url = f"https://127.0.0.1:{tls_receiver.port}/hooks/proxy"
    attempt, _ = _deliver(app, url, django_capture_on_commit_callbacks)
    assert not attempt.succeeded and "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert "127.0.0.1" in attempt.error
    assert tls_receiver.received == []


def test_an_untrusted_certificate_is_refused(
    app, tls_receiver, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    _, other = _self_signed(tmp_path, "other", "DNS:localhost")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    url = f"https://localhost:{tls_receiver.port}/hooks/proxy"
    attempt, _ = _deliver(app, url, django_capture_on_commit_callbacks)
    assert not attempt.succeeded and "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert tls_receiver.received == []
