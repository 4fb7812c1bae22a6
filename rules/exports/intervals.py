"""Disjoint ``network . protocol . ports`` elements for nftables interval sets, computed
on integers: networks are address intervals, merged and cut back into the fewest CIDR
blocks (what ``ipaddress.collapse_addresses`` returns), without an object per address.
"""

import bisect
import ipaddress
import socket
from collections import defaultdict
from functools import lru_cache
from itertools import groupby, repeat
from operator import attrgetter, itemgetter

_BITS = {4: 32, 6: 128}
_SOCKET_FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6}
_element_key = attrgetter("family", "protocol", "ports")
_destination_of = attrgetter("destination")


@lru_cache(maxsize=1 << 17)
def _block(destination: str, family: int) -> tuple[int, int]:
    """Return the first and last address of a canonical network's text."""
    address, _, prefix = destination.partition("/")
    try:
        first = int.from_bytes(socket.inet_pton(_SOCKET_FAMILIES[family], address))
    except OSError:
        first = int(ipaddress.ip_address(address))  # Raises ValueError as it always did.
    return first, first + (1 << (_BITS[family] - int(prefix))) - 1


def _cidrs(lo: int, hi: int, family: int, names: dict) -> list[str]:
    """Return the fewest CIDR blocks covering ``lo``..``hi`` as canonical text."""
    bits = _BITS[family]
    blocks = []
    while lo <= hi:
        size = (lo & -lo) if lo else 1 << bits
        while size > hi - lo + 1:
            size >>= 1
        prefix = bits - size.bit_length() + 1
        name = names.get((lo, lo + size - 1))
        if name is None:
            name = f"{ipaddress.ip_address(lo) if family == 4 else ipaddress.IPv6Address(lo)}"
            name = f"{name}/{prefix}"
        blocks.append(name)
        lo += size
    return blocks


def _collapsed(intervals: list[tuple[int, int]], family: int, names: dict) -> tuple[str, ...]:
    ordered = sorted(intervals)
    starts = list(map(itemgetter(0), ordered))
    after_ends = list(map((1).__add__, map(itemgetter(1), ordered)))
    if not any(map(int.__le__, starts[1:], after_ends)):
        # No two touch (mostly so): each is a destination of the rule set, its own text.
        found = tuple(map(names.get, ordered))
        if None not in found:
            return found
    merged: list[list[int]] = []
    for lo, hi in ordered:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    result = []
    for lo, hi in merged:
        # Mostly a destination of the rule set as it is: its own text.
        name = names.get((lo, hi))
        if name is not None:
            result.append(name)
        else:
            result.extend(_cidrs(lo, hi, family, names))
    return tuple(result)


def disjoint(items: list[tuple[str, int, int]], family: int) -> list[tuple[str, int, int]]:
    """Return (network, first, last) items covering ``items`` (destination text, first
    and last port) with no two overlapping: an interval set refuses overlapping elements.
    Ports are cut at every boundary, networks collapsed per piece, and equal neighbouring
    pieces joined again."""
    by_ports: dict[tuple[int, int], list[str]] = defaultdict(list)
    for destination, first, last in items:
        by_ports[(first, last)].append(destination)
    return [(network, first, last) for networks, first, last in _pieces(by_ports, family)
            for network in networks]  # fmt: skip


def _pieces(destinations: dict[tuple[int, int], list[str]], family: int) -> list[list]:
    """Return ``disjoint``'s items as [networks, first port, last port] pieces, from the
    destinations of each (first, last) port range."""
    names = {}
    by_ports: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for ports, texts in destinations.items():
        blocks = list(map(_block, texts, repeat(family)))
        names.update(zip(blocks, texts, strict=True))
        by_ports[ports] = blocks
    cuts = sorted({a for a, _ in by_ports} | {b + 1 for _, b in by_ports})
    # A rule set has a handful of port ranges, mostly towards the same networks: pieces
    # with equal networks are collapsed once.
    covering: list[list[tuple[int, int]]] = [[] for _ in cuts]
    for ports in by_ports:
        first, last = ports
        for index in range(bisect.bisect_left(cuts, first), bisect.bisect_left(cuts, last + 1)):
            covering[index].append(ports)
    collapsed: list[tuple[list, tuple[str, ...]]] = []
    joined: list[list] = []
    for index, ranges in enumerate(covering):
        if not ranges:
            continue
        intervals = [block for ports in ranges for block in by_ports[ports]]
        networks = next((done for seen, done in collapsed if seen == intervals), None)
        if networks is None:
            networks = _collapsed(intervals, family, names)
            collapsed.append((intervals, networks))
        first, last = cuts[index], cuts[index + 1] - 1
        if joined and joined[-1][0] == networks and joined[-1][2] + 1 == first:
            joined[-1][2] = last
        else:
            joined.append([networks, first, last])
    return joined


def nft_elements(entries) -> dict[int, list[str]]:
    """Return the ``address . protocol . ports`` elements of ``entries`` by family, made
    disjoint (an address in two groups with overlapping ports would otherwise clash)."""
    # Entries of a rule set share a handful of port lists, in runs: grouped by them
    # first, each port range's destinations are one list, not an item per entry and range.
    by_ports: dict[tuple, list[str]] = defaultdict(list)
    for key, run in groupby(entries, _element_key):
        by_ports[key].extend(map(_destination_of, run))
    items: dict[tuple[int, str], dict] = defaultdict(lambda: defaultdict(list))
    for (family, protocol, ports), destinations in by_ports.items():
        for start, end in ports:
            items[(family, protocol)][(start, end)].extend(destinations)
    elements: dict[int, list[str]] = {4: [], 6: []}
    for (family, protocol), destinations in sorted(items.items()):
        for networks, start, end in _pieces(destinations, family):
            ports = str(start) if start == end else f"{start}-{end}"
            suffix = f" . {protocol} . {ports}"
            elements[family].extend([network + suffix for network in networks])
    return elements
