"""The downloaded probe: a valid Python file that embeds the app's entries as data, run
for real against TCP listeners and STUN responders on loopback addresses."""

import json
import py_compile
import random
import socket

import pytest

from provisioning.connectivity.script import probe_script_render
from rules.document import Entry
from tests.factories import AppFactory
from tests.provisioning.api.helpers import api_key_header
from tests.provisioning.connectivity import peers
from tests.provisioning.connectivity.helpers import app_with_rules, ports, run_script, write_script

pytestmark = pytest.mark.django_db


def free_range(count: int) -> int:
    """Return the first of ``count`` consecutive ports free for TCP and UDP on loopback."""
    for _ in range(100):
        first = random.randrange(20000, 60000)
        try:
            for port in range(first, first + count):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    with socket.socket(socket.AF_INET, kind) as sock:
                        sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("No free port range on loopback.")


@pytest.fixture
def lab():
    """An app whose entries are loopback addresses: 127.0.0.2 serves TCP on a range,
    127.0.0.3 answers STUN, 127.0.0.4 answers with another transaction ID, 127.0.0.5
    echoes (not STUN), 127.0.0.6 has nothing listening."""
    base = free_range(12)
    tcp_range, udp = (base, base + 10), base + 11
    endpoints = {
        "127.0.0.2": ports(("tcp", *tcp_range)),
        "127.0.0.3": ports(("udp", udp)),
        "127.0.0.4": ports(("udp", udp)),
        "127.0.0.5": ports(("udp", udp)),
        "127.0.0.6": ports(("tcp", base)),
    }
    sockets = [peers.listen("127.0.0.2", "tcp", port) for port in range(base, base + 11)]
    sockets.append(peers.listen("127.0.0.3", "udp", udp))
    sockets.append(peers.listen("127.0.0.4", "udp", udp, mode="wrong-transaction"))
    sockets.append(peers.listen("127.0.0.5", "udp", udp, mode="echo"))
    app = AppFactory()
    app_with_rules(app, endpoints)
    yield app, base, udp
    for sock in sockets:
        sock.close()


def download(client, app, **headers):
    return client.get(f"/api/v1/apps/{app.app_id}/connectivity/probe.py", **headers)


def test_the_probe_reports_each_address_and_port_it_tried(client, lab, tmp_path):
    app, base, udp = lab
    response = download(client, app, **api_key_header(app.customer, scopes=("rules",)))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="probe-{app.app_id}')
    script = write_script(tmp_path, response.content.decode())
    py_compile.compile(str(script), doraise=True)

    done = run_script(script, "--json", "--timeout", "1")

    assert done.returncode == 1, done.stderr  # something is blocked
    tried = {
        (r["destination"], r["protocol"], r["port"]): r["reachable"]
        for r in json.loads(done.stdout)
    }
    inside = {base + 2, base + 5, base + 7}  # a range is tried at both ends and 3 inside
    assert tried == {
        **{("127.0.0.2", "tcp", port): True for port in {base, base + 10} | inside},
        ("127.0.0.3", "udp", udp): True,
        ("127.0.0.4", "udp", udp): False,  # a STUN answer to another transaction
        ("127.0.0.5", "udp", udp): False,  # an answer that is not STUN
        ("127.0.0.6", "tcp", base): False,
    }
    assert all(isinstance(r["ms"], int) for r in json.loads(done.stdout))


def test_the_table_and_the_exit_status_when_everything_passes(client, lab, tmp_path):
    app = lab[0]
    rule_set = app.rule_sets.get()
    entries = [
        e for e in rule_set.entries.all() if e.destination in ("127.0.0.2/32", "127.0.0.3/32")
    ]
    text = probe_script_render(
        app_id=app.app_id,
        version=rule_set.version,
        base_url="http://testserver/",
        entries=[
            Entry(environment=e.environment, protocol=e.protocol, destination=e.destination,
                  ports=((int(e.ports.split("-")[0]), int(e.ports.split("-")[-1])),),
                  purpose=e.purpose)
            for e in entries
        ],
    )  # fmt: skip

    done = run_script(write_script(tmp_path, text), "--timeout", "1")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "127.0.0.3" in done.stdout and "reachable" in done.stdout
    assert done.stdout.strip().endswith("6 tried, 0 blocked")


def test_the_embedded_data_is_json_and_nothing_else(client, lab):
    app, _, _ = lab
    app.name = '"); import os; os.system("id") #'
    app.save()
    text = download(client, app, **api_key_header(app.customer, scopes=("rules",))).content.decode()

    line = next(line for line in text.splitlines() if line.startswith("EMBEDDED = "))
    data = json.loads(json.loads(line.removeprefix("EMBEDDED = json.loads(").removesuffix(")")))
    assert data["app_id"] == app.app_id and data["base_url"] == "http://testserver"
    assert {e["destination"] for e in data["entries"]} >= {"127.0.0.2/32", "127.0.0.6/32"}
    assert "os.system" not in text


def test_refresh_and_report_need_a_key(tmp_path, lab, client):
    app, _, _ = lab
    text = download(client, app, **api_key_header(app.customer, scopes=("rules",))).content.decode()

    done = run_script(write_script(tmp_path, text), "--report", env={"PATH": "/usr/bin"})

    assert done.returncode == 2
    assert "--api-key" in done.stderr


def test_an_app_without_rules_has_no_probe(client):
    app = AppFactory()

    response = download(client, app, **api_key_header(app.customer, scopes=("rules",)))

    assert response.status_code == 404
    assert response.json()["code"] == "no_rule_set"
