"""Turn allocated endpoints into firewall entries: minimal CIDRs and minimal port ranges."""

import ipaddress
import logging
import re
from collections import defaultdict
from collections.abc import Iterable

from accounts.validators import source_network_canonical
from rules.choices import Protocol
from rules.constants import MAX_PORT, MIN_PORT
from rules.document import Entry, PortRanges

logger = logging.getLogger(__name__)

# Purposes come from port profiles; anything else in a snapshot is named "other" so that
# no free text reaches a firewall file.
PURPOSE_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
PURPOSE_FALLBACK = "other"


def ports_merge(ranges: Iterable[tuple[int, int]]) -> PortRanges:
    """Return the fewest ranges covering ``ranges``: overlapping or adjacent ones join."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def _port_items(ports) -> Iterable[tuple[str, int, int, str]]:
    """Yield (protocol, start, end, purpose) from a snapshot, skipping malformed items."""
    for item in ports or ():
        try:
            protocol = str(item["protocol"]).lower()
            start, end = int(item["port_start"]), int(item["port_end"])
        except (KeyError, TypeError, ValueError):
            logger.warning("Skipping a malformed port item in an endpoint snapshot: %r", item)
            continue
        if protocol not in Protocol.values or not MIN_PORT <= start <= end <= MAX_PORT:
            logger.warning("Skipping an invalid port item in an endpoint snapshot: %r", item)
            continue
        purpose = str(item.get("purpose") or "")
        if not PURPOSE_PATTERN.fullmatch(purpose):
            purpose = PURPOSE_FALLBACK
        yield protocol, start, end, purpose


def entries_aggregate(endpoints: Iterable[tuple[str, str, list]]) -> tuple[Entry, ...]:
    """Return the sorted entries for ``(environment, address, ports snapshot)`` triples.

    Ports are merged per (environment, protocol, address, purpose); addresses that end up
    with the same ports are collapsed into minimal CIDRs, IPv4 and IPv6 apart. An address
    with the same ports for two purposes keeps one entry whose purpose names both.
    """
    ports_of: dict[tuple, list] = defaultdict(list)
    for environment, address, ports in endpoints:
        ip = ipaddress.ip_address(address)
        for protocol, start, end, purpose in _port_items(ports):
            ports_of[(environment, protocol, ip, purpose)].append((start, end))

    purposes_of: dict[tuple, set[str]] = defaultdict(set)
    for (environment, protocol, ip, purpose), ranges in ports_of.items():
        purposes_of[(environment, protocol, ip, ports_merge(ranges))].add(purpose)

    groups: dict[tuple, list] = defaultdict(list)
    for (environment, protocol, ip, ports), purposes in purposes_of.items():
        purpose = "+".join(sorted(purposes))
        groups[(environment, protocol, ports, purpose, ip.version)].append(ip)

    entries = [
        Entry(
            environment=environment,
            protocol=protocol,
            destination=str(network),
            ports=ports,
            purpose=purpose,
        )
        for (environment, protocol, ports, purpose, _), ips in groups.items()
        for network in ipaddress.collapse_addresses(ips)
    ]
    return tuple(sorted(entries, key=Entry.sort_key))


def source_networks_normalize(networks) -> tuple[str, ...]:
    """Return an app's source networks collapsed and sorted, IPv4 first; skip bad ones.

    Rows that bypassed validation may hold scope IDs or stray text: only networks that
    pass the same strict parse as customer input are kept.
    """
    parsed = []
    for network in networks or ():
        try:
            parsed.append(ipaddress.ip_network(source_network_canonical(network)))
        except ValueError:
            logger.warning("Skipping an invalid source network: %r", network)
    result = []
    for version in (4, 6):
        family = [network for network in parsed if network.version == version]
        result.extend(str(network) for network in ipaddress.collapse_addresses(family))
    return tuple(result)
