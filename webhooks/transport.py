"""Send one webhook over HTTP(S) to an address checked beforehand, following no redirect.

The standard library only (``http.client``): the connection goes to the resolved address
that passed ``webhooks.destinations`` while TLS still checks the certificate against the
URL's host name. Any answer other than 2xx, a redirect included, is a failed attempt.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from webhooks.constants import ERROR_MAX_LENGTH, RESPONSE_EXCERPT_MAX
from webhooks.destinations import Destination

USER_AGENT = "cloud-proxy-webhooks/1"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to ``address``, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``address``; the certificate must name the URL's host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_address = address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]


def webhook_post(
    *, destination: Destination, address: str, body: bytes, headers: dict, timeout: float
) -> Answer:
    """POST ``body`` to ``destination`` at ``address`` and return what came back."""
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(
        destination.host, destination.port, address=address, timeout=timeout
    )
    started = time.perf_counter()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT_MAX).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        elapsed = round((time.perf_counter() - started) * 1000)
        return Answer(status_code=None, latency_ms=elapsed, error=_error_text(exc))
    finally:
        connection.close()
    elapsed = round((time.perf_counter() - started) * 1000)
    error = ""
    if 300 <= response.status < 400:
        location = response.getheader("Location", "")[:200]
        error = f"Redirect ({response.status}) to {location or 'nowhere'} not followed."
    elif not 200 <= response.status < 300:
        error = f"The receiver answered {response.status} {response.reason}."[:ERROR_MAX_LENGTH]
    return Answer(response.status, elapsed, excerpt, error)
