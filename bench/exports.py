"""Time every firewall export format on a rule set of 1,000 IPv4 and 100 IPv6 proxies.

Run from the repository root: ``.venv/bin/python bench/exports.py``. It renders from
in-memory objects (no database) through the same path as the service: render, then the
completeness check. It prints milliseconds per format; the last line is one JSON object
with ``total_ms`` and ``max_format_ms``. Target: all formats together under 2 s.
"""

import ipaddress
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from rules.aggregation import entries_aggregate  # noqa: E402
from rules.document import RuleSetDocument, content_sha256  # noqa: E402
from rules.exports.completeness import export_check_complete  # noqa: E402
from rules.exports.registry import FORMATS  # noqa: E402

IPV4_DESTINATIONS = 1000
IPV6_DESTINATIONS = 100
APP_ID = "0123456789abcdef0123456789abcdef"
STANDARD_PORTS = [
    {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 4000, "port_end": 4000, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 3433, "port_end": 3460, "purpose": "media"},
    {"protocol": "udp", "port_start": 3478, "port_end": 3500, "purpose": "media"},
]


def build_document() -> RuleSetDocument:
    """Return a rule set whose destinations don't collapse: every other address."""
    v4 = ipaddress.ip_address("198.18.0.0")
    v6 = ipaddress.ip_address("2001:db8::")
    endpoints = [("production", str(v4 + 2 * i), STANDARD_PORTS) for i in range(IPV4_DESTINATIONS)]
    endpoints += [("production", str(v6 + 2 * i), STANDARD_PORTS) for i in range(IPV6_DESTINATIONS)]
    entries = entries_aggregate(endpoints)
    sources = ("10.0.0.0/8", "fd00::/8")
    return RuleSetDocument(
        app_id=APP_ID,
        version="2026112101",
        created_at=datetime(2026, 11, 21, tzinfo=UTC),
        sha256=content_sha256(app_id=APP_ID, source_networks=sources, entries=entries),
        source_networks=sources,
        entries=entries,
        app_name="Benchmark",
    )


def main() -> None:
    started = time.perf_counter()
    document = build_document()
    build_ms = (time.perf_counter() - started) * 1000
    print(f"rule set: {len(document.entries)} entries, built in {build_ms:.1f} ms")
    timings = {}
    for name, fmt in FORMATS.items():
        started = time.perf_counter()
        rendered = fmt.render(document)
        export_check_complete(document=document, rendered=rendered, format_name=name)
        timings[name] = (time.perf_counter() - started) * 1000
        print(f"{name:10s} {timings[name]:8.1f} ms  {len(rendered.content):>9,d} bytes")
    total = sum(timings.values())
    print(
        json.dumps(
            {
                "entries": len(document.entries),
                "ipv4_destinations": IPV4_DESTINATIONS,
                "ipv6_destinations": IPV6_DESTINATIONS,
                "formats": len(timings),
                "total_ms": round(total, 1),
                "max_format_ms": round(max(timings.values()), 1),
                "max_format": max(timings, key=timings.get),
                "per_format_ms": {name: round(ms, 1) for name, ms in timings.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
