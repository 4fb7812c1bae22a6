"""Check that a webhook comes from the cloud proxy service (Standard Webhooks)."""

import os

from standardwebhooks import Webhook  # pip install standardwebhooks

# The endpoint's secret, "whsec_…", as the portal or the API showed it once.
webhook = Webhook(os.environ["PROXY_WEBHOOK_SECRET"])


def proxy_event(body: bytes, headers: dict) -> dict:
    """Return the event if its signature and time check out; raise otherwise.

    ``body`` is the request body exactly as received (before any JSON parsing);
    ``headers`` holds webhook-id, webhook-timestamp and webhook-signature.
    """
    return webhook.verify(body, headers)  # WebhookVerificationError when it isn't ours
