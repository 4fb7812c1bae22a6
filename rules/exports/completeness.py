"""Check that a rendered file names every destination and port of its rule set.

The check reads the file itself, not the renderer's intentions. It splits the text into
tokens (a destination counts when written as a canonical CIDR, a bare host address or an
``address netmask`` pair) and collects every port-like number. It reports each carried
entry whose destination or ports are absent, and each omitted entry the file does not list.
"""

import ipaddress
import re
from collections import defaultdict
from functools import lru_cache
from xml.etree import ElementTree as ET

import yaml

from rules.exceptions import ExportIncomplete
from rules.exports.base import FAMILY_LABELS
from rules.exports.readback import READERS
from rules.exports.registry import format_get

# Addresses in the files stand between these: spaces, quotes, brackets, "=", ",", "<", ">".
_DELIMITERS = re.compile(r"[\s,\"'{}\[\]()=;<>]+")
_PORT = re.compile(r"(?<![\d.])\d{1,5}(?![\d.])")
_ENTRY_ID = re.compile(r"\b[0-9a-f]{12}\b")


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


def _readback_missing(*, document, rendered, format_name: str) -> list[str]:
    """Return the carried entries whose port ranges the file does not allow towards their
    destination, read back with the format's reader."""
    reader = READERS.get(format_name)
    if reader is None:
        return []
    try:
        allowed = reader(rendered.content)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, ET.ParseError,
            yaml.YAMLError) as exc:  # fmt: skip
        return [f"the file cannot be read back ({type(exc).__name__}: {exc})"]
    omitted_ids = {entry.id for entry in rendered.omitted}
    index = _coverage_index(allowed)
    problems = []
    for entry in document.entries:
        if entry.id in omitted_ids:
            continue
        lacking = [
            f"{a}" if a == b else f"{a}-{b}"
            for a, b in entry.ports
            if (entry.protocol, entry.destination, a, b) not in allowed
            and not _covered(index, entry, a, b)
        ]
        if lacking:
            problems.append(
                f"{entry.protocol} {entry.destination} port(s) {','.join(lacking)} "
                f"({entry.id}) are not allowed"
            )
    return problems


def _coverage_index(allowed) -> dict[tuple[str, str], list[tuple[int, int]]]:
    index = defaultdict(list)
    for protocol, destination, first, last in allowed:
        index[(protocol, destination)].append((first, last))
    return index


def _covered(index, entry, first: int, last: int) -> bool:
    """Return whether allowed networks containing the entry's destination (a wider
    network, as interval sets merge them) cover ports ``first``..``last`` together."""
    network = entry.network
    ranges = []
    for prefix in range(network.prefixlen, -1, -1):
        ranges.extend(
            index.get((entry.protocol, network.supernet(new_prefix=prefix).with_prefixlen), ())
        )
    reach = first
    for start, end in sorted(ranges):
        if start > reach:
            break
        reach = max(reach, end + 1)
    return reach > last


def export_missing(*, document, rendered, format_name: str | None = None) -> list[str]:
    """Return what ``rendered`` lacks of ``document``, one readable line per problem.

    Every file must name each destination and port; when ``format_name`` has a reader,
    each entry's every port range must also be allowed towards its destination.
    """
    problems = _token_missing(document=document, rendered=rendered)
    if format_name:
        problems += _sources_missing(document=document, rendered=rendered, name=format_name)
    if format_name and not problems:
        problems = _readback_missing(document=document, rendered=rendered, format_name=format_name)
    return problems


def _sources_missing(*, document, rendered, name: str) -> list[str]:
    """Return the source networks a format that applies sources fails to name, and a
    header that does not say, per family it carries, which sources its rules have."""
    fmt = format_get(name)
    omitted_ids = {entry.id for entry in rendered.omitted}
    if not fmt.applies_sources or all(entry.id in omitted_ids for entry in document.entries):
        return []
    tokens = _address_tokens(rendered.content)
    problems = []
    for family in fmt.families:
        sources = document.sources_of_family(family)
        label = FAMILY_LABELS[family]
        for source in sources:
            if not any(form in tokens for form in _forms(source)):
                problems.append(f"{label} source network {source} is missing")
        said = f"{label} source: {', '.join(sources)}" if sources else f"{label} rules have any"
        # JSON and CSV carry sources as data, per row or field, without a header.
        headed = name not in ("json", "csv")
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
    problems = export_missing(document=document, rendered=rendered, format_name=format_name)
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ExportIncomplete(
            f"The {format_name} export of version {document.version} is incomplete: {shown}{more}."
        )
