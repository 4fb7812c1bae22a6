"""The README's ways to verify a webhook (Python and Node) accept our real deliveries and
refuse tampered ones; the README shows them exactly as tested."""

import json
import runpy
import subprocess
from pathlib import Path

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.services.endpoints import webhook_endpoint_create, webhook_endpoint_rotate
from webhooks.services.events import webhook_test_send

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PYTHON_EXAMPLE = ROOT / "docs" / "webhooks" / "verify_webhook.py"
NODE_EXAMPLE = ROOT / "docs" / "webhooks" / "verify-webhook.js"
NODE_CHECK = """
const { verifyProxyWebhook } = require(process.argv[1]);
const input = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
try {
  console.log(verifyProxyWebhook(input.secret, input.body, input.headers).type);
} catch (error) {
  console.log(`refused: ${error.message}`);
}
"""


@pytest.fixture
def delivered(app, receiver, django_capture_on_commit_callbacks):
    """A test event delivered to a real receiver after a rotation: old and new secret."""
    endpoint, old = webhook_endpoint_create(
        app=app, url=receiver.url, events=["request.status_changed"]
    )
    endpoint, new = webhook_endpoint_rotate(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(endpoint=endpoint)
    [received] = receiver.received
    headers = {name.lower(): value for name, value in received.headers.items()}
    return {"old": old, "new": new, "body": received.body, "headers": headers}


def test_the_readme_shows_both_examples_as_tested():
    readme = (ROOT / "README.md").read_text()
    assert PYTHON_EXAMPLE.read_text().strip() in readme
    assert NODE_EXAMPLE.read_text().strip() in readme


def test_the_python_example_accepts_our_deliveries_and_refuses_tampered_ones(
    delivered, monkeypatch
):
    for secret in (delivered["old"], delivered["new"]):
        monkeypatch.setenv("PROXY_WEBHOOK_SECRET", secret)
        proxy_event = runpy.run_path(str(PYTHON_EXAMPLE))["proxy_event"]
        assert proxy_event(delivered["body"], delivered["headers"])["type"] == "webhook.test"
        with pytest.raises(WebhookVerificationError):
            proxy_event(delivered["body"].replace(b"test", b"TEST"), delivered["headers"])


def test_the_node_example_accepts_our_deliveries_and_refuses_tampered_ones(delivered):
    def check(secret, body):
        stdin = {"secret": secret, "body": body.decode(), "headers": delivered["headers"]}
        result = subprocess.run(
            ["node", "-e", NODE_CHECK, str(NODE_EXAMPLE)],
            input=json.dumps(stdin),
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return result.stdout.strip()

    assert check(delivered["old"], delivered["body"]) == "webhook.test"
    assert check(delivered["new"], delivered["body"]) == "webhook.test"
    tampered = delivered["body"].replace(b"test", b"TEST")
    assert check(delivered["new"], tampered) == "refused: No matching webhook signature"
