"""What a connectivity check may try: an app's entries as plain data, and whether an
address and port reported back is one of them. Pure functions of rule entries."""

import ipaddress
from collections.abc import Iterable

from rules.choices import Protocol
from rules.constants import MAX_PORT, MIN_PORT
from rules.document import Entry


def entries_data(entries: Iterable[Entry]) -> list[dict]:
    """Return ``entries`` as the probe embeds them: canonical networks, a protocol and
    integer port ranges, re-parsed here so that nothing else reaches the script."""
    data = []
    for entry in entries:
        network = ipaddress.ip_network(entry.destination, strict=True)
        protocol = Protocol(entry.protocol).value
        ports = []
        for start, end in entry.ports:
            start, end = int(start), int(end)
            if not MIN_PORT <= start <= end <= MAX_PORT:
                raise ValueError(f"Entry {entry.id} has an invalid port range {start}-{end}.")
            ports.append([start, end])
        data.append({"destination": str(network), "protocol": protocol, "ports": ports})
    return data


def entries_cover(entries: Iterable[Entry], *, address: str, protocol: str, port: int) -> bool:
    """Return whether one of ``entries`` allows ``protocol`` to ``address``:``port``."""
    ip = ipaddress.ip_address(address)
    return any(
        entry.protocol == protocol
        and entry.family == ip.version
        and ip in entry.network
        and any(start <= port <= end for start, end in entry.ports)
        for entry in entries
    )


def entries_covering(entries: Iterable[Entry], tries: Iterable[tuple[str, str, int]]) -> list:
    """Return, for each ``(address, protocol, port)`` of ``tries``, an entry of exactly that
    address, protocol and port, with the purpose of the entry that allows it."""
    entries = tuple(entries)
    result = []
    for address, protocol, port in tries:
        ip = ipaddress.ip_address(address)
        purpose = next(
            (
                entry.purpose
                for entry in entries
                if entry.protocol == protocol
                and entry.family == ip.version
                and ip in entry.network
                and any(a <= port <= b for a, b in entry.ports)
            ),
            "other",
        )
        environment = next(
            (e.environment for e in entries if e.family == ip.version and ip in e.network),
            "production",
        )
        network = ipaddress.ip_network(ip)
        result.append(
            Entry(
                environment=environment,
                protocol=protocol,
                destination=str(network),
                ports=((port, port),),
                purpose=purpose,
            )
        )
    return result
