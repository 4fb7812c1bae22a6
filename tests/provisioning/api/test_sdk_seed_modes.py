"""The demo app's test set as SDKs get it in each mode, against the seed's own tables."""

import re
from pathlib import Path

import pytest

from accounts.models import App
from accounts.services.app_tokens import app_token_mint
from provisioning.models import ProvisioningRequest
from provisioning.services.demo import DEMO_APP_ID, demo_data_seed
from provisioning.services.lifecycle import request_allocate_test
from tests.provisioning.api.helpers import sdk_get

SEED_TABLES = Path(__file__).parent.parent / "data" / "seed_test_set_tables.md"
PURPOSES = {"消息数据传输": "signalling", "媒体数据交换": "media", "边缘节点通信": "edge"}
ROW = re.compile(r"^\s*\|\s*(TCP|UDP)\s*\|\s*([\d.]+)\s*\|([^|]+)\|([^|]+)\|", re.MULTILINE)


def _ranges(cell: str) -> list[tuple[int, int]]:
    ranges = []
    for part in cell.split(","):
        start, _, end = part.strip().partition("-")
        ranges.append((int(start), int(end or start)))
    return ranges


def seed_rows() -> set[tuple[str, str, int, int, str]]:
    """Return the seed's rows as (protocol, address, first port, last port, purpose)."""
    rows = set()
    for protocol, address, ports, purposes in ROW.findall(SEED_TABLES.read_text()):
        for port_cell, purpose in zip(ports.split("<br/>"), purposes.split("<br/>"), strict=True):
            for start, end in _ranges(port_cell):
                rows.add((protocol.lower(), address, start, end, PURPOSES[purpose.strip()]))
    return rows


def expected(mode: str) -> dict[str, dict[str, list]]:
    """Return what ``mode`` must list per address, derived from the seed's rows."""
    wanted = {
        # Force UDP: UDP media plus the TCP message ports and the edge nodes.
        "udp": lambda proto, purpose: proto == "udp" or purpose in {"signalling", "edge"},
        "tcp": lambda proto, purpose: proto == "tcp",
    }[mode]
    servers: dict = {}
    for proto, address, start, end, purpose in sorted(seed_rows()):
        server = servers.setdefault(address, {"tcp_ports": [], "udp_ports": []})
        if wanted(proto, purpose):
            server[f"{proto}_ports"].append({"start": start, "end": end})
    return {address: ports for address, ports in servers.items() if any(ports.values())}


@pytest.fixture
def demo_app(db):
    demo_data_seed(password="demo-password-123")
    app = App.objects.get(app_id=DEMO_APP_ID)
    request_allocate_test(request=ProvisioningRequest.objects.get(app=app))
    return app


def answer(client, app, mode):
    token = app_token_mint(app=app, ttl_seconds=600)
    response = sdk_get(client, app.app_id, mode, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_seed_tables_are_read():
    rows = seed_rows()
    assert ("udp", "150.138.153.78", 3478, 3500, "media") in rows
    assert ("tcp", "47.96.234.219", 443, 443, "edge") in rows
    # Three proxies with four rows each, and the four edge nodes listed in both tables.
    assert len(rows) == 3 * 4 + 4


@pytest.mark.parametrize(("mode", "sdk_mode"), [("udp", 3), ("tcp", 5)])
def test_demo_app_modes_match_the_seed_tables(client, demo_app, mode, sdk_mode):
    body = answer(client, demo_app, mode)

    assert (body["mode"], body["sdk_mode"]) == (mode, sdk_mode)
    assert body["agora"]["proxy_mode"] == sdk_mode
    assert body["agora"]["start_proxy_server"] is True
    served = {
        s["address"]: {"tcp_ports": s["tcp_ports"], "udp_ports": s["udp_ports"]}
        for s in body["servers"]
    }
    assert served == expected(mode)
    edges = {s["address"] for s in body["servers"] if s["role"] == "edge"}
    assert edges == {row[1] for row in seed_rows() if row[4] == "edge"}


def test_region_labels_come_from_the_pools_not_the_request(client, demo_app):
    body = answer(client, demo_app, "auto")

    labels = {s["address"]: s["region"] for s in body["servers"]}
    assert labels["150.138.153.78"] == "domestic"
    assert labels["23.236.115.138"] == labels["148.153.66.218"] == "overseas"
    assert labels["47.74.211.17"] == "global"


def test_tcp_mode_offers_turns_on_host_names_on_443(client, demo_app):
    body = answer(client, demo_app, "tcp")

    urls = [url for ice in body["ice_servers"] for url in ice["urls"]]
    assert "turns:150-138-153-78.turn.example.net:443?transport=tcp" in urls
    assert not any("transport=udp" in url for url in urls)
    domestic = next(s for s in body["servers"] if s["address"] == "150.138.153.78")
    assert domestic["tls_hostname"] == "150-138-153-78.turn.example.net"
    first = body["agora"]["turn_servers"][0]
    assert first["security"] is True
    assert first["tcpport"] == 443
    assert first["turnServerURL"].endswith(".turn.example.net")
    assert first["forceturn"] is True
    assert "udpport" not in first


def test_auto_mode_needs_no_start_proxy_server_and_sizes_ice_servers(client, demo_app):
    body = answer(client, demo_app, "auto")

    assert body["sdk_mode"] is None
    assert body["agora"] == {
        **body["agora"],
        "start_proxy_server": False,
        "proxy_mode": None,
    }
    assert "No startProxyServer call is needed" in body["agora"]["note"]
    # Three test proxies (one domestic, two overseas): one ICE server each, both transports.
    assert len(body["ice_servers"]) == 3
    for ice in body["ice_servers"]:
        assert [url.split(":")[0] for url in ice["urls"]] == ["turn", "turn", "turns"]
        assert ice["username"].endswith(f":{DEMO_APP_ID}")
    for turn in body["agora"]["turn_servers"]:
        assert isinstance(turn["udpport"], int) and isinstance(turn["tcpport"], int)
        assert turn["forceturn"] is False
        assert turn["password"] == body["ice_servers"][0]["credential"]
