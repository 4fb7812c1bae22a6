"""Standard Webhooks signatures: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``.

The signature is HMAC-SHA256 over ``"{id}.{timestamp}.{body}"`` with the endpoint's secret
(the ``standardwebhooks`` package does the arithmetic). While a rotated-out secret is
still valid, the header carries both signatures, space-separated, as the spec allows, so
a receiver holding either secret accepts the message.
"""

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

from webhooks.constants import SECRET_BYTES, SECRET_PREFIX


def secret_generate() -> str:
    """Return a new signing secret in the ``whsec_<base64>`` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_headers(*, secrets_in_use: list[str], message_id: str, at: datetime, body: str):
    """Return the headers that sign ``body`` as message ``message_id`` sent ``at``, with
    one signature per secret in ``secrets_in_use`` (current first)."""
    signatures = [
        Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body)
        for secret in secrets_in_use
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
