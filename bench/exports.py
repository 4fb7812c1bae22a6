"""Time every firewall export format on two rule sets: 1,000 IPv4 and 100 IPv6 proxies
with one source network per family, and 9,000 IPv4 and 1,000 IPv6 proxies with 256 source
networks per family (plus the delta from the version before it, which lacks 100
destinations and has 100 others).

Run from the repository root: ``.venv/bin/python bench/exports.py``. It renders from
in-memory objects (no database) through the same path as the service: render, then the
completeness check (the file read back and compared with the rule set), for each format
once, in one pass: the first format of a version also pays for what every format shares
(the safety check, the allowances the files are compared with). Deltas follow, as the
changes endpoint computes them: from new copies of both versions that nothing was
rendered from (as read from the database for the request), each checked for safety again,
with the new version's files at hand (stored when it was published), which the formats
whose delta is their full file take instead of rendering it again, and nftables reads its
new set elements from. The caches keyed by network text (parsed networks, address names)
are warm from the formats, as in a process that has served the versions before. The same
deltas without the files at hand (each full file rendered again) are timed apart, not in
the total.

It prints milliseconds and bytes per format. As the machine may be shared, it also times a
baseline in the same run, the canonical JSON and sha256 of the large rule set (what
publishing it computes once), and prints the exports' time as a multiple of it, and
the process's CPU time next to the wall time. The last line is one JSON object with
``total_ms`` and ``max_format_ms`` of the first set and ``large_total_ms`` (formats plus
deltas) of the second, ``baseline_ms`` and ``large_ratio``. Target: each set's formats
(and deltas) together under 2 s.
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
from rules.exports.deltas import delta_render  # noqa: E402
from rules.exports.registry import FORMATS  # noqa: E402

IPV4_DESTINATIONS = 1000
IPV6_DESTINATIONS = 100
LARGE_IPV4_DESTINATIONS = 9000
LARGE_IPV6_DESTINATIONS = 1000
LARGE_SOURCES_PER_FAMILY = 256
# Destinations the large set's previous version had instead of its last ones.
LARGE_CHANGED = 100
APP_ID = "0123456789abcdef0123456789abcdef"
STANDARD_PORTS = [
    {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 4000, "port_end": 4000, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 3433, "port_end": 3460, "purpose": "media"},
    {"protocol": "udp", "port_start": 3478, "port_end": 3500, "purpose": "media"},
]


def build_document(
    *,
    ipv4: int = IPV4_DESTINATIONS,
    ipv6: int = IPV6_DESTINATIONS,
    sources=None,
    offset=0,
    version="2026112101",
) -> RuleSetDocument:
    """Return a rule set whose destinations don't collapse: every other address."""
    v4 = ipaddress.ip_address("198.18.0.0")
    v6 = ipaddress.ip_address("2001:db8::")
    endpoints = [("production", str(v4 + 2 * (i + offset)), STANDARD_PORTS) for i in range(ipv4)]
    endpoints += [("production", str(v6 + 2 * (i + offset)), STANDARD_PORTS) for i in range(ipv6)]
    entries = entries_aggregate(endpoints)
    sources = tuple(sources or ("10.0.0.0/8", "fd00::/8"))
    return RuleSetDocument(
        app_id=APP_ID,
        version=version,
        created_at=datetime(2026, 11, 21, tzinfo=UTC),
        sha256=content_sha256(app_id=APP_ID, source_networks=sources, entries=entries),
        source_networks=sources,
        entries=entries,
        app_name="Benchmark",
    )


def large_sources() -> tuple[str, ...]:
    """Return 256 distinct, canonical source networks of each family."""
    v4 = [str(ipaddress.ip_network(f"10.{i}.0.0/16")) for i in range(LARGE_SOURCES_PER_FAMILY)]
    v6 = [str(ipaddress.ip_network(f"fd00:{i:x}::/32")) for i in range(LARGE_SOURCES_PER_FAMILY)]
    return tuple(v4 + v6)


def time_formats(
    document: RuleSetDocument, sizes: dict | None = None, files: dict | None = None
) -> dict[str, float]:
    """Render and check every format; print and return milliseconds per format (and note
    each file's size in ``sizes``, the file itself in ``files``)."""
    timings = {}
    for name, fmt in FORMATS.items():
        started = time.perf_counter()
        rendered = fmt.render(document)
        export_check_complete(document=document, rendered=rendered, format_name=name)
        timings[name] = (time.perf_counter() - started) * 1000
        if sizes is not None:
            sizes[name] = len(rendered.content)
        if files is not None:
            files[name] = rendered.content
        print(f"{name:10s} {timings[name]:8.1f} ms  {len(rendered.content):>11,d} bytes")
    return timings


def time_deltas(
    old: RuleSetDocument, new: RuleSetDocument, *, files: dict | None = None, quiet=False
) -> dict[str, float]:
    """Render the delta from ``old`` to ``new`` in every format, taking ``new``'s files
    from ``files`` when given (as the service takes the stored exports); return ms per
    format."""
    timings = {}
    for name in FORMATS:
        new_file = (lambda name=name: files[name]) if files is not None else None
        started = time.perf_counter()
        delta = delta_render(old=old, new=new, format_name=name, new_file=new_file)
        timings[name] = (time.perf_counter() - started) * 1000
        kind = "incremental" if delta.incremental else "full/none"
        if not quiet:
            print(f"{name:10s} {timings[name]:8.1f} ms  {len(delta.content):>11,d} bytes  {kind}")
    return timings


def time_baseline(document: RuleSetDocument) -> float:
    """Return the best of three timings of the rule set's canonical JSON and sha256."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        content_sha256(
            app_id=document.app_id,
            source_networks=document.source_networks,
            entries=document.entries,
        )
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


def large_versions(sources) -> tuple[RuleSetDocument, RuleSetDocument]:
    """Return new copies of the large set's previous version and of the large set."""
    previous = build_document(
        ipv4=LARGE_IPV4_DESTINATIONS,
        ipv6=LARGE_IPV6_DESTINATIONS,
        sources=sources,
        offset=LARGE_CHANGED,
        version="2026112101",
    )
    large = build_document(ipv4=LARGE_IPV4_DESTINATIONS, ipv6=LARGE_IPV6_DESTINATIONS,
                           sources=sources, version="2026112102")  # fmt: skip
    return previous, large


def main() -> None:
    started = time.perf_counter()
    document = build_document()
    build_ms = (time.perf_counter() - started) * 1000
    print(f"rule set: {len(document.entries)} entries, built in {build_ms:.1f} ms")
    timings = time_formats(document)
    total = sum(timings.values())
    print(f"total {total:.1f} ms")

    sources = large_sources()
    _, large = large_versions(sources)
    # What the changes endpoint reads from the database: nothing was rendered from them.
    previous, latest = large_versions(sources)
    print(f"\nlarge rule set: {len(large.entries)} entries, "
          f"{len(sources)} source networks")  # fmt: skip
    baseline = time_baseline(large)
    sizes: dict[str, int] = {}
    files: dict[str, str] = {}
    cpu_started = time.process_time()
    large_timings = time_formats(large, sizes, files)
    print("deltas from the previous version (as the changes endpoint computes them):")
    delta_timings = time_deltas(previous, latest, files=files)
    large_cpu = (time.process_time() - cpu_started) * 1000
    large_total = sum(large_timings.values()) + sum(delta_timings.values())
    previous, latest = large_versions(sources)
    cold = time_deltas(previous, latest, quiet=True)
    print(f"total {large_total:.1f} ms (formats {sum(large_timings.values()):.1f}, deltas "
          f"{sum(delta_timings.values()):.1f}; CPU {large_cpu:.1f} ms), "
          f"{sum(sizes.values()):,d} bytes of files")  # fmt: skip
    print(f"baseline (canonical JSON and sha256 of the large rule set) {baseline:.1f} ms: "
          f"the exports take {large_total / baseline:.1f} times the baseline")  # fmt: skip
    print(f"deltas without the new version's files at hand: {sum(cold.values()):.1f} ms "
          f"(not in the total)")  # fmt: skip
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
                "large_entries": len(large.entries),
                "large_sources": len(sources),
                "large_formats_ms": round(sum(large_timings.values()), 1),
                "large_deltas_ms": round(sum(delta_timings.values()), 1),
                "large_total_ms": round(large_total, 1),
                "large_cpu_ms": round(large_cpu, 1),
                "large_bytes": sum(sizes.values()),
                "large_per_format_ms": {name: round(ms, 1) for name, ms in large_timings.items()},
                "large_bytes_per_format": sizes,
                "large_cold_deltas_ms": round(sum(cold.values()), 1),
                "baseline_ms": round(baseline, 1),
                "large_ratio": round(large_total / baseline, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
