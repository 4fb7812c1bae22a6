"""The reference client ``/static/sdk/proxy-config.js`` in Chromium against the live service
and a real coturn: token callback, 304 on revalidation, a credential refresh before expiry,
Retry-After, and a data channel relayed through coturn with the ICE servers it returns."""

import pytest

from accounts.services.app_tokens import app_token_mint
from tests.e2e.test_sdk_browser import TIMEOUT_MS
from tests.e2e.test_sdk_browser import turn_port as turn_port  # fixture
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set

pytestmark = pytest.mark.e2e

START = """async ([appId, token]) => {
  const module = await import("/static/sdk/proxy-config.js");
  window.tokenCalls = 0;
  window.updates = [];
  window.proxy = new module.ProxyConfigClient({
    appId, mode: "udp", refreshMargin: 0,
    getToken: async () => { window.tokenCalls += 1; return token; },
    onUpdate: (config) => window.updates.push(config.ice_servers[0].username),
  });
  const first = await window.proxy.get();
  const again = await window.proxy.revalidate();
  const stats = {...window.proxy.stats};
  return {first, same: first === again, stats, tokenCalls: window.tokenCalls};
}"""

RELAY = """async () => {
  const iceServers = await window.proxy.iceServers();
  const config = {iceServers, iceTransportPolicy: "relay"};
  const a = new RTCPeerConnection(config), b = new RTCPeerConnection(config);
  const relayed = [];
  for (const [pc, other] of [[a, b], [b, a]]) {
    pc.onicecandidate = (e) => {
      if (!e.candidate) return;
      if (e.candidate.candidate.includes(" typ relay")) relayed.push(e.candidate.candidate);
      other.addIceCandidate(e.candidate);
    };
  }
  const channel = a.createDataChannel("probe");
  const received = new Promise((resolve) => {
    b.ondatachannel = (e) => { e.channel.onmessage = (m) => resolve(m.data); };
  });
  channel.onopen = () => channel.send("through coturn");
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 6000));
  const message = await Promise.race([received, timeout]);
  const stats = [...(await a.getStats()).values()];
  const pair = stats.find(
    (s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
  const local = pair && stats.find((s) => s.id === pair.localCandidateId);
  a.close(); b.close();
  return {message, relayed: relayed.length, localType: local && local.candidateType};
}"""

REFRESH = """async () => {
  // Refresh in the background 2 s from now: that far before the credentials expire.
  window.proxy.options.refreshMargin = (window.proxy.expiresAt() - Date.now()) / 1000 - 2;
  await window.proxy.start();
  const deadline = Date.now() + 8000;
  while (window.updates.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  window.proxy.stop();
  return {updates: window.updates, stats: {...window.proxy.stats}};
}"""

ERRORS = """async ([appId]) => {
  const module = await import("/static/sdk/proxy-config.js");
  const result = {};
  try {
    await new module.ProxyConfigClient({appId: "0".repeat(32)}).get();
  } catch (error) { result.unknown = [error.name, error.code, error.status]; }
  let calls = 0;
  const throttled = async () => {
    calls += 1;
    return new Response(JSON.stringify({code: "throttled", message: "Slow down."}),
      {status: 429, headers: {"Retry-After": "7", "Content-Type": "application/json"}});
  };
  const client = new module.ProxyConfigClient({appId, fetch: throttled});
  try { await client.get(); } catch (error) { result.first = [error.code, error.retryAfter]; }
  try { await client.get(); } catch (error) { result.second = [error.code, calls]; }
  return result;
}"""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS * 2)
    # The service's own origin: the module is imported from /static/ like a customer's
    # bundler would vendor it.
    page.goto(f"{live_server.url}/admin/login/")
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_reference_client_revalidates_relays_and_refreshes(page, settings, turn_port):
    settings.TURN_CREDENTIAL_TTL = 60
    settings.TURN_CREDENTIAL_BUCKET = 300
    app = AppFactory(certificate_enabled=True)
    live_set(app, addresses=["127.0.0.1"])
    token = app_token_mint(app=app, ttl_seconds=600)

    started = page.evaluate(START, [app.app_id, token])

    assert started["first"]["ice_servers"][0]["urls"] == [
        f"turn:127.0.0.1:{turn_port}?transport=udp"
    ]
    assert started["same"] is True
    assert started["stats"] == {"fetched": 1, "notModified": 1}
    assert started["tokenCalls"] == 2

    relay = page.evaluate(RELAY)

    assert relay["message"] == "through coturn"
    assert relay["relayed"] > 0
    assert relay["localType"] == "relay"

    # From now on each second has its own expiry, so a refresh gets new credentials.
    settings.TURN_CREDENTIAL_BUCKET = 1
    refreshed = page.evaluate(REFRESH)

    old_username = started["first"]["ice_servers"][0]["username"]
    assert refreshed["updates"], refreshed
    assert refreshed["updates"][0] != old_username
    assert refreshed["stats"]["fetched"] >= 2


@pytest.mark.django_db(transaction=True)
def test_reference_client_reports_errors_and_honours_retry_after(page):
    app = AppFactory()

    result = page.evaluate(ERRORS, [app.app_id])

    assert result["unknown"] == ["ProxyConfigError", "unknown_app", 404]
    assert result["first"] == ["throttled", 7]
    # Within Retry-After the client does not ask again.
    assert result["second"] == ["throttled", 1]
