"""A browser SDK on a customer's page: it fetches the proxy config cross-origin and gathers
a relay candidate from a real coturn with the ICE servers it got."""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.test_turn_coturn import SECRET, turnserver_running
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 8_000

# The customer's page: what a browser SDK does before joining a channel.
PAGE = b"""<!doctype html><meta charset="utf-8"><title>SDK</title>
<script>
async function gatherRelay(configUrl, timeoutMs) {
  const response = await fetch(configUrl, {mode: "cors"});
  const config = await response.json();
  if (!response.ok) return {status: response.status, config};
  const pc = new RTCPeerConnection({iceServers: config.ice_servers, iceTransportPolicy: "relay"});
  pc.createDataChannel("probe");
  const candidates = [];
  const done = new Promise((resolve) => {
    pc.onicecandidate = (event) => {
      if (event.candidate) candidates.push(event.candidate.candidate);
      if (!event.candidate || candidates.some((c) => c.includes(" typ relay"))) resolve();
    };
    setTimeout(resolve, timeoutMs);
  });
  await pc.setLocalDescription(await pc.createOffer());
  await done;
  pc.close();
  return {status: response.status, config, candidates};
}
async function readable(url) {
  try { await fetch(url, {mode: "cors"}); return true; } catch (error) { return false; }
}
</script>"""


class PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def customer_page():
    """Serve the customer's page from its own loopback origin (another port)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def turn_port(settings):
    with turnserver_running() as port:
        settings.TURN_SHARED_SECRETS = [SECRET]
        settings.TURN_UDP_PORT = port
        settings.TURN_TCP_PORT = port
        yield port


def on_customer_page(browser, script, argument):
    """Evaluate ``script`` on the customer's page (another origin than the API's)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        with customer_page() as page_url:
            page.goto(page_url)
            return page.evaluate(script, argument)
    finally:
        context.close()


def gather(browser, config_url):
    return on_customer_page(
        browser, "([url, ms]) => gatherRelay(url, ms)", [config_url, TIMEOUT_MS - 2_000]
    )


def test_browser_gets_a_relay_candidate_with_the_served_ice_servers(
    transactional_db, live_server, browser, turn_port
):
    app = AppFactory()
    live_set(app, addresses=["127.0.0.1"])
    config_url = f"{live_server.url}/api/v1/sdk/proxy-config?app_id={app.app_id}&mode=udp"

    result = gather(browser, config_url)

    assert result["status"] == 200
    assert result["config"]["ice_servers"][0]["urls"] == [
        f"turn:127.0.0.1:{turn_port}?transport=udp"
    ]
    relays = [c for c in result["candidates"] if " typ relay" in c]
    assert relays, result["candidates"]
    assert "127.0.0.1" in relays[0]


def test_browser_reads_error_codes_cross_origin(transactional_db, live_server, browser):
    config_url = f"{live_server.url}/api/v1/sdk/proxy-config?app_id={'0' * 32}"

    result = gather(browser, config_url)

    assert result["status"] == 404
    assert result["config"]["code"] == "unknown_app"


def test_only_the_sdk_endpoint_is_open_cross_origin(transactional_db, live_server, browser):
    sdk = f"{live_server.url}/api/v1/sdk/proxy-config?app_id={'0' * 32}"
    formats = f"{live_server.url}/api/v1/formats/"

    assert on_customer_page(browser, "(url) => readable(url)", sdk) is True
    assert on_customer_page(browser, "(url) => readable(url)", formats) is False
