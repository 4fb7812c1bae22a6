"""Check that a rendered file allows exactly what its rule set says, and says so.

Given the format, the file is read back with the format's reader (readback.py) into the
(protocol, destination, ports, sources) it allows and compared with what the rule set
asks of that format, computed once per document: each carried entry's every port range
towards its destination, from its family's source networks (any source where the family
has none, or where the format does not apply sources), and nothing else. A file that
cannot be read back, lacks an allowance, allows more or from other sources is refused.
The header must say, per family, which sources the rules have, and the entries of the
families a format cannot carry must be listed.

Without a format, only the tokens are checked: a destination counts when written as a
canonical CIDR, a bare host address or an ``address netmask`` pair, and every port of
an entry must appear as a number.
"""

import ipaddress
import re
from collections import defaultdict
from functools import lru_cache
from itertools import groupby
from operator import attrgetter
from xml.etree import ElementTree as ET

import yaml

from rules.exceptions import ExportIncomplete
from rules.exports.base import FAMILY_LABELS
from rules.exports.coverage import uncovered
from rules.exports.memo import DocumentMemo
from rules.exports.pauses import gc_paused
from rules.exports.readback import READERS
from rules.exports.readback_vendors import ANY, flattened, source_set
from rules.exports.registry import format_get

# Addresses in the files stand between these: spaces, quotes, brackets, "=", ",", "<", ">".
_DELIMITERS = re.compile(r"[\s,\"'{}\[\]()=;<>]+")
_PORT = re.compile(r"(?<![\d.])\d{1,5}(?![\d.])")
_ENTRY_ID = re.compile(r"\b[0-9a-f]{12}\b")
# "#   omitted <id> …": the header lines that list an entry a format cannot carry.
_OMITTED_LINE = re.compile(r"omitted ([0-9a-f]{12}) ")
_READ_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, StopIteration,
                ET.ParseError, yaml.YAMLError)  # fmt: skip
_EXPECTED = DocumentMemo(size=4)
_SHOWN_SOURCES = 3
_protocol_ports, _destination_of = attrgetter("protocol", "ports"), attrgetter("destination")


def _address_tokens(content: str) -> set[str]:
    """Return the tokens of ``content``, plus "address netmask" pairs joined by a space
    as Cisco and FortiOS write them (masks of /8 and longer start with 255.)."""
    tokens = _DELIMITERS.split(content)
    pairs = {
        f"{tokens[i - 1]} {token}" for i, token in enumerate(tokens) if token.startswith("255.")
    }
    return set(tokens) | pairs


@lru_cache(maxsize=65536)
def _forms(destination: str) -> tuple[str, ...]:
    """Return the ways a file may write a network: CIDR, bare host, address netmask."""
    network = ipaddress.ip_network(destination)
    forms = [network.with_prefixlen]
    if network.num_addresses == 1:
        forms.append(str(network.network_address))
    if network.version == 4:
        forms.append(f"{network.network_address} {network.netmask}")
    return tuple(forms)


def _expected_sources(document, fmt) -> dict[int, frozenset[str]]:
    if not fmt.applies_sources:
        return {4: ANY, 6: ANY}
    return {family: source_set(document.sources_of_family(family)) for family in (4, 6)}


def _destinations_by_ports(document, family: int) -> dict[tuple, frozenset[str]]:
    """Return (protocol, first port, last port) -> the destinations of ``document``'s
    entries of ``family`` that have that port range, once per document and family."""

    def compute():
        # Entries come in runs of the same protocol and ports: each run's port ranges are
        # expanded once.
        by_ports = defaultdict(list)
        for key, run in groupby(document.entries_of((family,)), _protocol_ports):
            by_ports[key].extend(map(_destination_of, run))
        found = defaultdict(set)
        for (protocol, ports), destinations in by_ports.items():
            for first, last in ports:
                found[(protocol, first, last)].update(destinations)
        return {key: frozenset(destinations) for key, destinations in found.items()}

    return _EXPECTED.get(document, ("ports", family), compute)


def expected_allowed(document, fmt) -> dict[tuple, frozenset[str]]:
    """Return what ``fmt``'s file of ``document`` must allow, as the readers give it:
    (protocol, first port, last port, sources) -> the destinations of the entries it
    carries that have that port range."""

    def compute():
        sources = _expected_sources(document, fmt)
        expected: dict[tuple, frozenset[str]] = {}
        for family in fmt.families:
            for ports, destinations in _destinations_by_ports(document, family).items():
                key = (*ports, sources[family])
                # Families with the same sources (any) share a key: their union.
                expected[key] = expected[key] | destinations if key in expected else destinations
        return expected

    return _EXPECTED.get(document, (fmt.families, fmt.applies_sources), compute)


def _differences(allowed, expected) -> tuple[set[tuple], set[tuple]]:
    """Return the allowances (flattened) that ``expected`` has and ``allowed`` lacks, and
    those ``allowed`` has beyond ``expected``, comparing only the groups that differ."""
    missing, extra = set(), set()
    for key in expected.keys() | allowed.keys():
        found, wanted = allowed.get(key, frozenset()), expected.get(key, frozenset())
        if found != wanted:
            protocol, first, last, sources = key
            missing.update((protocol, d, first, last, sources) for d in wanted - found)
            extra.update((protocol, d, first, last, sources) for d in found - wanted)
    return missing, extra


def _readback_missing(*, document, rendered, fmt) -> list[str]:
    """Return what the file, read back, lacks of the rule set or allows beyond it."""
    try:
        allowed = READERS[fmt.name](rendered.content)
    except _READ_ERRORS as exc:
        return [f"the file cannot be read back ({type(exc).__name__}: {exc})"]
    expected = expected_allowed(document, fmt)
    missing, extra = _differences(allowed, expected)
    if not missing and not extra:
        return []
    # Merged or split elements (nftables intervals) may allow the same traffic.
    missing = set(uncovered(missing, flattened(allowed)))
    extra = uncovered(extra, flattened(expected))
    problems = []
    sources = _expected_sources(document, fmt)
    for entry in document.entries_of(fmt.families) if missing else ():
        lacking = [
            f"{a}" if a == b else f"{a}-{b}"
            for a, b in entry.ports
            if (entry.protocol, entry.destination, a, b, sources[entry.family]) in missing
        ]
        if lacking:
            problems.append(
                f"{entry.protocol} {entry.destination} port(s) {','.join(lacking)} "
                f"({entry.id}) are not allowed"
            )
    problems.extend(_extra_line(item) for item in sorted(extra, key=repr))
    return problems


def _extra_line(item) -> str:
    protocol, destination, first, last, sources = item
    names = sorted(sources)
    shown = ", ".join(names[:_SHOWN_SOURCES]) + (" …" if len(names) > _SHOWN_SOURCES else "")
    ports = f"{first}" if first == last else f"{first}-{last}"
    return (
        f"{protocol} {destination} port(s) {ports} from {shown or 'any source'} is allowed, "
        "which the rule set does not allow"
    )


def export_missing(*, document, rendered, format_name: str | None = None) -> list[str]:
    """Return what ``rendered`` lacks of ``document``, one readable line per problem.

    With ``format_name``, the file read back must allow exactly the rule set (see the
    module's docstring); without it, each destination and port must appear in the text.
    """
    if not format_name:
        return _token_missing(document=document, rendered=rendered)
    fmt = format_get(format_name)
    problems = _omitted_missing(document=document, rendered=rendered, fmt=fmt)
    problems += _sources_missing(document=document, rendered=rendered, fmt=fmt)
    if not problems:
        problems = _readback_missing(document=document, rendered=rendered, fmt=fmt)
    return problems


def _omitted_missing(*, document, rendered, fmt) -> list[str]:
    """Return the entries a format leaves out although it carries their family, and the
    entries it leaves out without listing them in its header."""
    problems = [
        f"entry {entry.id} ({entry.destination}) is omitted although the format carries it"
        for entry in rendered.omitted
        if entry.family in fmt.families
    ]
    if rendered.omitted:
        listed = set(_OMITTED_LINE.findall(rendered.content))
        problems += [
            f"omitted entry {entry.id} ({entry.destination}) is not listed"
            for entry in document.entries_of(fmt.omits_families)
            if entry.id not in listed
        ]
    return problems


def _sources_missing(*, document, rendered, fmt) -> list[str]:
    """Return a problem for each family whose header line does not say which sources
    its rules have (the rules themselves are read back with their sources)."""
    if not fmt.applies_sources or not document.entries_of(fmt.families):
        return []
    problems = []
    for family in fmt.families:
        sources = document.sources_of_family(family)
        label = FAMILY_LABELS[family]
        said = f"{label} source: {', '.join(sources)}" if sources else f"{label} rules have any"
        # JSON and CSV carry sources as data, per row or field, without a header.
        headed = fmt.name not in ("json", "csv")
        if (sources or document.source_networks) and headed and said not in rendered.content:
            problems.append(f"the header does not say which {label} sources apply")
    return problems


def _token_missing(*, document, rendered) -> list[str]:
    content = rendered.content
    omitted_ids = {entry.id for entry in rendered.omitted}
    if all(entry.id in omitted_ids for entry in document.entries):
        tokens, ports = set(), set()  # Only the listing of omitted entries to check.
    else:
        tokens = _address_tokens(content)
        ports = {int(number) for number in _PORT.findall(content)}
    listed_ids = set(_ENTRY_ID.findall(content)) if omitted_ids else set()
    problems = []
    for entry in document.entries:
        if entry.id in omitted_ids:
            if entry.id not in listed_ids:
                problems.append(f"omitted entry {entry.id} ({entry.destination}) is not listed")
            continue
        if not any(form in tokens for form in _forms(entry.destination)):
            problems.append(f"destination {entry.destination} ({entry.id}) is missing")
        absent = sorted({p for pair in entry.ports for p in pair} - ports)
        if absent:
            numbers = ", ".join(map(str, absent))
            problems.append(f"port(s) {numbers} of {entry.destination} are missing")
    return problems


def export_check_complete(*, document, rendered, format_name: str) -> None:
    """Raise ExportIncomplete with a readable message if ``rendered`` lacks anything."""
    with gc_paused():
        problems = export_missing(document=document, rendered=rendered, format_name=format_name)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ExportIncomplete(
            f"The {format_name} export of version {document.version} is incomplete: {shown}{more}."
        )
