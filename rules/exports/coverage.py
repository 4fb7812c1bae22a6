"""Whether what one file allows is covered by another set of allowances, as integer
address intervals: nftables interval sets merge neighbouring networks and cut port ranges,
so a file may allow exactly the rule set's traffic in other (wider or split) elements.

Allowances are (protocol, destination, first port, last port, sources) tuples; the union
of a set is kept per (protocol, sources, family) as port pieces, each with its merged
address intervals. Only canonical network text counts: anything else covers nothing and
is covered by nothing.
"""

import bisect
import ipaddress
from collections import defaultdict
from functools import lru_cache


@lru_cache(maxsize=1 << 16)
def _interval(destination: str) -> tuple[int, int] | None:
    """Return the first and last address of a canonical network, else None."""
    try:
        network = ipaddress.ip_network(destination)
    except (ValueError, TypeError):
        return None
    if network.with_prefixlen != destination:
        return None
    return int(network.network_address), int(network.broadcast_address)


def _ports_valid(item) -> bool:
    first, last = item[2], item[3]
    return type(first) is int and type(last) is int and 0 < first <= last


def _key(item) -> tuple:
    protocol, destination, _, _, sources = item
    return protocol, sources, 6 if ":" in destination else 4


def _merged(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Return sorted, merged intervals as parallel lists of starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in sorted(intervals):
        if ends and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def _pieces(found: list[tuple[tuple[int, int], int, int]]) -> list[tuple]:
    """Return the union of (interval, first, last) boxes as (first, last, starts, ends)
    port pieces: ports cut at every boundary, each piece's intervals merged."""
    cuts = sorted({first for _, first, _ in found} | {last + 1 for _, _, last in found})
    members: list[list[tuple[int, int]]] = [[] for _ in cuts]
    for interval, first, last in found:
        for index in range(bisect.bisect_left(cuts, first), bisect.bisect_left(cuts, last + 1)):
            members[index].append(interval)
    return [
        (cuts[index], cuts[index + 1] - 1, *_merged(intervals))
        for index, intervals in enumerate(members)
        if intervals
    ]


def _covers(pieces: list[tuple], interval: tuple[int, int], first: int, last: int) -> bool:
    lo, hi = interval
    reach = first
    for piece_first, piece_last, starts, ends in pieces:
        if piece_last < reach:
            continue
        if piece_first > reach:
            return False
        at = bisect.bisect_right(starts, lo) - 1
        if at < 0 or ends[at] < hi:
            return False
        reach = piece_last + 1
        if reach > last:
            return True
    return False


def uncovered(items, by) -> list[tuple]:
    """Return the tuples of ``items`` that the union of ``by`` does not allow entirely."""
    keys = {_key(item) for item in items}
    found = defaultdict(list)
    for item in by:
        key = _key(item)
        interval = _interval(item[1]) if key in keys else None
        if interval is not None and _ports_valid(item):
            found[key].append((interval, item[2], item[3]))
    pieces = {key: _pieces(boxes) for key, boxes in found.items()}
    result = []
    for item in items:
        interval = _interval(item[1])
        if (
            interval is None
            or not _ports_valid(item)
            or not _covers(pieces.get(_key(item), []), interval, *item[2:4])
        ):
            result.append(item)
    return result
