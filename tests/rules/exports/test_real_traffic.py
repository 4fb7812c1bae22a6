"""Real packets through our nftables and iptables files, in a network namespace on lo.

Each run starts a fresh ``unshare -rn`` namespace with a customer firewall (default-drop
OUTPUT, an established-traffic rule and a rule of their own for TCP 2222), loads our file
of version N, then N+1 (the full file twice, or the N -> N+1 delta), and probes every
destination:port from an allowed and a foreign source, an unlisted port and address.
"""

import ipaddress
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rules.aggregation import entries_aggregate
from rules.document import RuleSetDocument, content_sha256
from rules.exports.deltas import _context, delta_render
from rules.exports.linux import nft_names, xtables_chains
from rules.exports.registry import FORMATS
from tests.rules.conftest import APP_ID

PROBE = Path(__file__).with_name("netns_probe.py")
PORTS = [
    {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 4000, "port_end": 4001, "purpose": "media"},
    {"protocol": "udp", "port_start": 3478, "port_end": 3479, "purpose": "media"},
]
EDGE = [{"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "edge"}]
VERSION_N = [
    ("production", "198.51.100.4", PORTS),
    ("production", "198.51.100.5", PORTS),
    ("production", "198.51.100.9", PORTS),
    ("production", "2001:db8::10", PORTS),
    ("production", "2001:db8::11", PORTS),
    ("test", "203.0.113.20", EDGE),
    ("test", "2001:db8:1::7", EDGE),
]
# N+1 drops 198.51.100.9, 203.0.113.20 and 2001:db8::11, and adds two destinations.
VERSION_N1 = [item for item in VERSION_N if item[1] not in
              ("198.51.100.9", "203.0.113.20", "2001:db8::11")] + [
    ("production", "198.51.100.20", PORTS),
    ("production", "2001:db8::20", PORTS),
]  # fmt: skip
SOURCES = ("10.1.0.0/16", "fd00:1::/64")
CLIENTS = {4: ("10.1.0.5", "10.2.0.5"), 6: ("fd00:1::5", "fd00:2::5")}  # allowed, foreign
UNLISTED = {4: "192.0.2.99", 6: "2001:db8:ff::99"}
CUSTOMER_PORT = 2222
PROBE_PORTS = [("tcp", 443), ("tcp", 4000), ("tcp", 4001), ("udp", 3478), ("udp", 3479),
               ("tcp", 9999), ("udp", 9999), ("tcp", CUSTOMER_PORT)]  # fmt: skip


def _document(endpoints, version: str) -> RuleSetDocument:
    entries = entries_aggregate(endpoints)
    return RuleSetDocument(
        app_id=APP_ID, version=version, created_at=datetime(2026, 11, 21, tzinfo=UTC),
        sha256=content_sha256(app_id=APP_ID, source_networks=SOURCES, entries=entries),
        source_networks=SOURCES, entries=entries,
    )  # fmt: skip


OLD, NEW = _document(VERSION_N, "2026112101"), _document(VERSION_N1, "2026112201")
DESTINATIONS = sorted(
    {address for _, address, _ in VERSION_N + VERSION_N1} | set(UNLISTED.values())
)


def _probes() -> list[list]:
    probes = []
    for destination in DESTINATIONS:
        family = ipaddress.ip_address(destination).version
        for source in CLIENTS[family]:
            probes.extend([source, destination, proto, port] for proto, port in PROBE_PORTS)
    return probes


def _expected(document, source, destination, protocol, port) -> bool:
    """Return whether the customer's firewall with our ``document`` lets this through."""
    if protocol == "tcp" and port == CUSTOMER_PORT:
        return True  # The customer's own rule.
    address = ipaddress.ip_address(destination)
    sources = document.sources_of_family(address.version)
    if sources and not any(
        ipaddress.ip_address(source) in ipaddress.ip_network(s) for s in sources
    ):
        return False
    return any(
        entry.protocol == protocol and address in entry.network
        and any(a <= port <= b for a, b in entry.ports)
        for entry in document.entries
    )  # fmt: skip


def _run(steps: list[dict]) -> dict:
    spec = {
        "addresses": DESTINATIONS + [c for pair in CLIENTS.values() for c in pair],
        "listen": [[d, proto, port] for d in DESTINATIONS for proto, port in set(PROBE_PORTS)],
        "steps": steps,
    }
    done = subprocess.run(
        ["unshare", "-rn", sys.executable, str(PROBE)], input=json.dumps(spec),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _write(directory: Path, name: str, content: str) -> str:
    path = directory / name
    path.write_text(content)
    return str(path)


def _assert_step(results: dict, name: str, document) -> None:
    assert f"{name}:error" not in results, results[f"{name}:error"]
    wrong = {
        key: seen for key, seen in results[name].items()
        if seen != _expected(document, *key.split()[:3], int(key.split()[3]))
    }  # fmt: skip
    assert wrong == {}, f"{name}: probes that differ from version {document.version}"


NFT_CUSTOMER = f"""table inet filter {{
  chain output {{
    type filter hook output priority 0; policy drop;
    ct state established,related accept
    tcp dport {CUSTOMER_PORT} accept comment "customer rule"
  }}
}}
"""


def _nft_steps(directory: Path, *, delta: bool) -> list[dict]:
    chain = nft_names(_context(OLD, "nftables"))[0]
    customer = _write(directory, "customer.nft", NFT_CUSTOMER)
    old = _write(directory, "n.nft", FORMATS["nftables"].render(OLD).content)
    new = _write(directory, "n1.nft", FORMATS["nftables"].render(NEW).content)
    change = _write(
        directory, "delta.nft", delta_render(old=OLD, new=NEW, format_name="nftables").content
    )
    listing = ["nft", "list", "chain", "inet", "filter", "output"]
    first = [["nft", "-f", customer], ["nft", "-f", old],
             ["nft", "insert", "rule", "inet", "filter", "output", "jump", chain]]  # fmt: skip
    steps = [{"name": "N", "commands": first, "probes": _probes(), "listing": listing}]
    if delta:
        steps.append({"name": "delta", "commands": [["nft", "-f", change]], "probes": _probes(),
                      "listing": listing})  # fmt: skip
    else:
        for name in ("N+1", "N+1 again"):
            steps.append({"name": name, "commands": [["nft", "-f", new]], "probes": _probes(),
                          "listing": listing})  # fmt: skip
    return steps


def _xt_customer(tool: str) -> list[list[str]]:
    return [
        [tool, "-P", "OUTPUT", "DROP"],
        [
            tool,
            "-A",
            "OUTPUT",
            "-m",
            "conntrack",
            "--ctstate",
            "ESTABLISHED,RELATED",
            "-j",
            "ACCEPT",
        ],
        [tool, "-A", "OUTPUT", "-p", "tcp", "--dport", str(CUSTOMER_PORT), "-j", "ACCEPT"],
    ]


def _xt_steps(directory: Path, *, delta: bool) -> list[dict]:
    chain = xtables_chains(_context(OLD, "iptables"))[0]
    first, second, again = [], [], []
    for name, tool in (("iptables", "iptables"), ("ip6tables", "ip6tables")):
        restore = f"{tool}-restore --noflush < "
        old = _write(directory, f"n-{name}", FORMATS[name].render(OLD).content)
        new = _write(directory, f"n1-{name}", FORMATS[name].render(NEW).content)
        change = delta_render(old=OLD, new=NEW, format_name=name).content
        change_path = _write(directory, f"delta-{name}", change)
        first += [
            *_xt_customer(tool),
            ["sh", "-c", restore + old],
            [tool, "-I", "OUTPUT", "-j", chain],
        ]
        second.append(["sh", "-c", restore + (change_path if delta else new)])
        again.append(["sh", "-c", restore + new])
    listing = ["sh", "-c", "iptables -S OUTPUT; ip6tables -S OUTPUT"]
    steps = [{"name": "N", "commands": first, "probes": _probes(), "listing": listing}]
    steps.append({"name": "delta" if delta else "N+1", "commands": second, "probes": _probes(),
                  "listing": listing})  # fmt: skip
    if not delta:
        steps.append(
            {"name": "N+1 again", "commands": again, "probes": _probes(), "listing": listing}
        )
    return steps


@pytest.mark.parametrize("backend", ["nftables", "iptables"])
@pytest.mark.parametrize("delta", [False, True], ids=["full files", "delta"])
def test_real_traffic_follows_version_n_then_n_plus_1(backend, delta):
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        steps = (_nft_steps if backend == "nftables" else _xt_steps)(directory, delta=delta)
        results = _run(steps)
    _assert_step(results, "N", OLD)
    later = ["delta"] if delta else ["N+1", "N+1 again"]
    for step in later:
        _assert_step(results, step, NEW)
    # Sanity: the probes saw both outcomes, and the changes between versions.
    n, n1 = results["N"], results[later[-1]]
    assert any(n.values()) and not all(n.values())
    assert n["10.1.0.5 198.51.100.9 tcp 443"] and not n1["10.1.0.5 198.51.100.9 tcp 443"]
    assert not n["10.1.0.5 198.51.100.20 udp 3478"] and n1["10.1.0.5 198.51.100.20 udp 3478"]
    assert n["fd00:1::5 2001:db8::11 udp 3479"] and not n1["fd00:1::5 2001:db8::11 udp 3479"]
    assert not n1["10.2.0.5 198.51.100.4 tcp 443"]  # A foreign source.
    assert not n1["10.1.0.5 198.51.100.4 tcp 9999"]  # An unlisted port.
    assert not n1["10.1.0.5 192.0.2.99 tcp 443"]  # An unlisted address.
    # The customer's own rule and policy survive every load.
    assert n1["10.2.0.5 192.0.2.99 tcp 2222"]
    listing = results[f"{later[-1]}:rules"]
    assert "2222" in listing
    assert ("policy drop" in listing) if backend == "nftables" else ("-P OUTPUT DROP" in listing)
