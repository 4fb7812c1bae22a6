"""Real packets through the project's own nftables export: a network namespace (loopback
only) holds the proxies' addresses, coturn on one proxy's TURN ports and TCP listeners and
STUN responders on the others, and a customer firewall whose OUTPUT policy drops. The
downloaded probe runs inside it: everything reachable with our file loaded, exactly one
entry blocked once that entry leaves the loaded set.

``--report`` posts from inside the namespace to the test's live server through a bridge:
127.0.0.1:<port> in the namespace is carried over a Unix socket (file systems are shared,
networks are not) to the live server outside, so the probe's own HTTP request is what
the service stores.
"""

import dataclasses
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core import mail

from provisioning.models import ConnectivityReport
from rules.exports.deltas import _context, delta_render
from rules.exports.linux import nft_names
from rules.exports.registry import FORMATS
from rules.services.exports import rule_set_document
from tests.e2e.conftest import BASE_DIR
from tests.factories import AppFactory, UserFactory, staff_member
from tests.provisioning.api.helpers import api_key_header
from tests.provisioning.connectivity.helpers import app_with_rules, ports

pytestmark = pytest.mark.e2e

COTURN, PROXY, PROXY6 = "198.51.100.4", "198.51.100.9", "2001:db8::10"
ENDPOINTS = {
    COTURN: ports(("tcp", 443), ("udp", 3478)),  # coturn's TURN ports: TCP 443, UDP 3478
    PROXY: ports(("tcp", 443), ("tcp", 3433, 3440), ("udp", 3478, 3490)),
    PROXY6: ports(("tcp", 443), ("udp", 3478)),
}
LISTEN = [
    *[[PROXY, "tcp", port] for port in [443, *range(3433, 3441)]],
    *[[PROXY, "udp", port] for port in range(3478, 3491)],
    [PROXY6, "tcp", 443],
    [PROXY6, "udp", 3478],
]
REMOVED = (PROXY, "udp", ((3478, 3490),))  # the entry taken out of the loaded set
SAMPLED_REMOVED = {(PROXY, "udp", port) for port in (3478, 3481, 3484, 3487, 3490)}
CUSTOMER = """table inet filter {{
  chain output {{
    type filter hook output priority 0; policy drop;
    ct state established,related accept
    ip daddr 127.0.0.1 tcp dport {port} accept comment "customer rule: the service"
  }}
}}
"""


class UnixBridge:
    """Carry connections from a Unix socket to the live server's TCP port."""

    def __init__(self, path: Path, port: int):
        self.path, self.port = path, port
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(16)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        from tests.e2e.connectivity_netns import _pump

        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def close(self):
        self.server.close()


def _nft_files(directory: Path, rule_set, port: int) -> dict:
    document = rule_set_document(rule_set=rule_set)
    removed = [e for e in document.entries if (e.destination.split("/")[0], e.protocol,
               e.ports) == REMOVED]  # fmt: skip
    assert len(removed) == 1
    fewer = dataclasses.replace(
        document, entries=tuple(e for e in document.entries if e not in removed)
    )
    files = {
        "customer": CUSTOMER.format(port=port),
        "ours": FORMATS["nftables"].render(document).content,
        "one removed": delta_render(old=document, new=fewer, format_name="nftables").content,
    }
    paths = {}
    for name, content in files.items():
        paths[name] = directory / f"{name.replace(' ', '-')}.nft"
        paths[name].write_text(content)
    paths["chain"] = nft_names(_context(document, "nftables"))[0]
    return paths


def _spec(tmp_path: Path, files: dict, probe: Path, key: str, port: int) -> dict:
    run = [sys.executable, str(probe), "--json", "--timeout", "1"]
    report = [*run, "--report", "--api-key", key, "--base-url", f"http://localhost:{port}"]
    return {
        "addresses": [COTURN, PROXY, PROXY6],
        "coturn": [[COTURN, 3478], [COTURN, 443]],
        "listen": LISTEN,
        "bridge": {"port": port, "socket": str(tmp_path / "service.sock")},
        "steps": [
            {"name": "customer only", "commands": [["nft", "-f", str(files["customer"])]],
             "probe": run},
            {"name": "ours", "commands": [
                ["nft", "-f", str(files["ours"])],
                ["nft", "insert", "rule", "inet", "filter", "output", "jump", files["chain"]],
            ], "probe": report},
            {"name": "one removed", "commands": [["nft", "-f", str(files["one removed"])]],
             "probe": report},
        ],
    }  # fmt: skip


def _tries(step: dict) -> dict:
    assert step["stdout"], step["stderr"]
    return {(r["destination"], r["protocol"], r["port"]): r["reachable"]
            for r in json.loads(step["stdout"])}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_probe_in_a_namespace_sees_exactly_what_our_nftables_file_allows(
    live_server, client, tmp_path, settings
):
    staff_member("ops", email="ops@example.com")
    app = AppFactory()
    rule_set = app_with_rules(app, ENDPOINTS)
    member = UserFactory()
    member.memberships.create(customer=app.customer, role="admin")
    key = api_key_header(app.customer, scopes=("rules",), created_by=member)
    probe = tmp_path / "probe.py"
    probe.write_bytes(client.get(f"/api/v1/apps/{app.app_id}/connectivity/probe.py", **key).content)
    port = int(live_server.url.rsplit(":", 1)[1])
    files = _nft_files(tmp_path, rule_set, port)
    bridge = UnixBridge(tmp_path / "service.sock", port)
    try:
        done = subprocess.run(
            ["unshare", "-rn", sys.executable, "-m", "tests.e2e.connectivity_netns"],
            input=json.dumps(_spec(tmp_path, files, probe, key["HTTP_AUTHORIZATION"][8:], port)),
            capture_output=True, text=True, timeout=240, check=False, cwd=BASE_DIR,
        )  # fmt: skip
    finally:
        bridge.close()
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    assert all(not step["errors"] for step in steps.values()), steps

    # Only the customer's firewall: its default drop blocks every try.
    before = _tries(steps["customer only"])
    assert len(before) == 15 and not any(before.values())
    assert steps["customer only"]["returncode"] == 1
    # Our file loaded: every address and port tried gets through, coturn's included.
    loaded = _tries(steps["ours"])
    assert loaded.keys() == before.keys() and all(loaded.values()), loaded
    assert steps["ours"]["returncode"] == 0, steps["ours"]["stderr"]
    assert {(COTURN, "udp", 3478), (COTURN, "tcp", 443)} <= loaded.keys()
    # One entry out of the loaded set: exactly its tries are blocked.
    removed = _tries(steps["one removed"])
    assert {t for t, reachable in removed.items() if not reachable} == SAMPLED_REMOVED
    assert steps["one removed"]["returncode"] == 1
    assert "policy drop" in steps["one removed"]["rules"]

    # --report stored both runs, as sent from inside the namespace.
    passed, failed = ConnectivityReport.objects.filter(app=app).order_by("pk")
    assert (passed.passed, passed.tried, passed.source) == (True, 15, "probe")
    assert not failed.passed and failed.blocked == len(SAMPLED_REMOVED)
    assert {(r.destination, r.protocol, r.port) for r in failed.results.exclude(
        outcome="reachable")} == SAMPLED_REMOVED  # fmt: skip
    assert len(mail.outbox) == 1  # the failing report on the live version alerts ops
    # The app page shows the latest report.
    client.force_login(member)
    page = client.get(f"/apps/{app.app_id}/").content.decode()
    assert 'data-testid="connectivity-latest"' in page
    assert "5 of 15 blocked" in page
    assert f"{PROXY}" in page and "3484" in page
