"""What the proxy config serves goes straight into the real Agora Web SDK
(``agora-rtc-sdk-ng``): its TypeScript typings under ``tsc --strict``, and its bundle in
Chromium (``setTurnServer`` / ``startProxyServer`` without joining, so no network).

The SDK takes one of the two per client ("You have already set the proxy" otherwise), so
each call gets its own client."""

import json
import subprocess

import pytest

from tests.factories import AppFactory
from tests.provisioning.api.conftest import api_settings  # noqa: F401 (autouse fixture)
from tests.provisioning.api.helpers import live_set, sdk_get

pytestmark = pytest.mark.e2e

MODES = ("auto", "udp", "tcp")

USES_THE_SDK = """
import AgoraRTC, {{ type TurnServerConfig }} from "agora-rtc-sdk-ng";
import type {{ ProxyConfigResponse }} from "./proxy-config";
{imports}

const client = AgoraRTC.createClient({{ mode: "rtc", codec: "vp8" }});

function apply(served: ProxyConfigResponse): void {{
  const turn: TurnServerConfig | undefined = served.agora.turn_servers[0];
  if (served.agora.proxy_mode !== null) client.startProxyServer(served.agora.proxy_mode);
  else if (turn) client.setTurnServer(turn);
  const pc = new RTCPeerConnection({{ iceServers: served.ice_servers }});
  pc.close();
}}
{calls}
"""


@pytest.fixture
def served(db, client):
    """Return the served JSON of every mode for an app with three test proxies."""
    app = AppFactory()
    addresses = ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
    live_set(app, addresses=addresses, edge_addresses=["198.51.100.7"])
    answers = {mode: sdk_get(client, app.app_id, mode) for mode in MODES}
    assert all(answer.status_code == 200 for answer in answers.values())
    return {mode: answer.json() for mode, answer in answers.items()}


def _compile(node_modules, tmp_path, source: str) -> subprocess.CompletedProcess:
    project = node_modules.parent
    work = project / "build" / tmp_path.name
    work.mkdir(parents=True, exist_ok=True)
    (work / "proxy-config.d.ts").write_text(
        (project.parent / "provisioning/static/sdk/proxy-config.d.ts").read_text()
    )
    (work / "use.ts").write_text(source)
    command = [
        str(node_modules / ".bin" / "tsc"), "--strict", "--noEmit", "--resolveJsonModule",
        "--esModuleInterop", "--moduleResolution", "bundler", "--module", "esnext",
        "--target", "es2020", "--lib", "es2020,dom", "--skipLibCheck", str(work / "use.ts"),
    ]  # fmt: skip
    return subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300)


def test_served_json_type_checks_against_the_real_typings(node_modules, tmp_path, served):
    work = node_modules.parent / "build" / tmp_path.name
    work.mkdir(parents=True, exist_ok=True)
    imports, calls = [], []
    for mode, body in served.items():
        (work / f"served-{mode}.json").write_text(json.dumps(body))
        imports.append(f'import {mode}Json from "./served-{mode}.json";')
        # Typed from the response itself (JSON module), then as the published type.
        calls.append(f"client.setTurnServer({mode}Json.agora.turn_servers[0]);")
        calls.append(f"apply({mode}Json as ProxyConfigResponse);")
    source = USES_THE_SDK.format(imports="\n".join(imports), calls="\n".join(calls))

    result = _compile(node_modules, tmp_path, source)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_old_shape_fails_the_real_typings(node_modules, tmp_path):
    """The check can fail: a mode name and ice_servers are not what the SDK takes."""
    source = USES_THE_SDK.format(
        imports="",
        calls='client.startProxyServer("udp");\n'
        'client.setTurnServer({ urls: ["turn:192.0.2.1:3478"], username: "u", credential: "c" });',
    )

    result = _compile(node_modules, tmp_path, source)

    assert result.returncode != 0
    assert "TS2345" in result.stdout


BUNDLE_CHECK = """async ([values, calls]) => {
  const errors = [];
  for (const args of values) {
    for (const [method, value] of calls(args)) {
      // One client per call: the SDK takes either the cloud proxy or a TURN server.
      const client = AgoraRTC.createClient({mode: "rtc", codec: "vp8"});
      try {
        client[method](value);
      } catch (error) {
        errors.push(`${method}: ${error.message || error}`);
      }
    }
  }
  return {version: AgoraRTC.VERSION, errors};
}"""


def _bundle_errors(browser, node_modules, values, calls_js):
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>sdk</title>")
        page.add_script_tag(path=str(node_modules / "agora-rtc-sdk-ng/AgoraRTC_N-production.js"))
        script = BUNDLE_CHECK.replace("calls(args)", f"({calls_js})(args)")
        return page.evaluate(script, [values, None])
    finally:
        page.close()


SERVED_CALLS = """(agora) => {
  const calls = agora.turn_servers.map((turn) => ["setTurnServer", turn]);
  if (agora.start_proxy_server) calls.push(["startProxyServer", agora.proxy_mode]);
  return calls;
}"""


def test_served_values_are_accepted_by_the_real_bundle(browser, node_modules, served):
    agora = [body["agora"] for body in served.values()]
    assert [a["proxy_mode"] for a in agora] == [None, 3, 5]

    result = _bundle_errors(browser, node_modules, agora, SERVED_CALLS)

    assert result["version"].startswith("4.24.")
    assert result["errors"] == []


def test_the_bundle_refuses_what_the_old_answer_carried(browser, node_modules):
    """The same calls with a mode name and ICE-style fields fail in the SDK."""
    old = {
        "start_proxy_server": True,
        "proxy_mode": "udp",
        "turn_servers": [{"turnServerURL": "192.0.2.1", "username": "u", "credential": "c"}],
    }

    result = _bundle_errors(browser, node_modules, [old], SERVED_CALLS)

    assert len(result["errors"]) == 2
    assert any("proxy server mode" in error for error in result["errors"])
    assert any("password" in error for error in result["errors"])
