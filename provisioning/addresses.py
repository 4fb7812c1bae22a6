"""IP address arithmetic: sortable keys and the usable range of a prefix.

Pure functions over ``ipaddress`` objects, with no database access of their own.
"""

import ipaddress
import re

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def int_key(version: int, value: int) -> str:
    """Return the sortable key of the address ``value`` of IP ``version``.

    "4" or "6" then the address as 32 hex digits: text that sorts like the addresses do,
    on every database (SQLite has no inet type), so free addresses are found by walking
    a range.
    """
    return f"{version}{value:032x}"


def address_sort_key(address) -> str:
    """Return the sortable key of an IP address (``ipaddress`` object or text)."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    return int_key(address.version, int(address))


def usable_range(network: IPNetwork) -> tuple[int, int]:
    """Return the first and last address of ``network`` that may be handed out, as integers.

    The network and broadcast addresses of an IPv4 prefix shorter than /31 are never
    hosts (RFC 919; RFC 3021 for /31), nor is the Subnet-Router anycast address (all
    zeros) of an IPv6 prefix shorter than /127 (RFC 4291 section 2.6.1; RFC 6164).
    """
    first, last = int(network.network_address), int(network.broadcast_address)
    if network.version == 4 and network.prefixlen < 31:
        first, last = first + 1, last - 1
    elif network.version == 6 and network.prefixlen < 127:
        first += 1
    return first, last


def networks_sorted(networks) -> list[IPNetwork]:
    """Return ``networks`` in address order, IPv4 first."""
    return sorted(networks, key=lambda net: (net.version, int(net.network_address)))


def pool_networks(pool) -> list[IPNetwork]:
    """Return the pool's prefixes in address order, IPv4 first (prefetch ``prefixes``
    to read them without a query)."""
    return networks_sorted(prefix.ip_network for prefix in pool.prefixes.all())


_DNS_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"


def tls_hostname(pattern: str, address: str) -> str:
    """Return the TLS host name of ``address`` under a pool's ``pattern``.

    ``{dashed}`` stands for the address with its dots or colons turned into dashes
    (``192.0.2.10`` -> ``192-0-2-10``), so one wildcard certificate such as
    ``*.turn.example.net`` covers every address of ``{dashed}.turn.example.net``. A pattern
    without the placeholder names one host for all the pool's addresses.
    """
    dashed = ipaddress.ip_address(address).exploded.replace(".", "-").replace(":", "-")
    return pattern.replace("{dashed}", dashed).lower()


def tls_hostname_pattern_problem(pattern: str) -> str | None:
    """Return why ``pattern`` can't name TLS hosts, or None when it can."""
    name = tls_hostname(pattern, "192.0.2.1")
    labels = name.split(".")
    if "{" in name or "}" in name:
        return "The only placeholder is {dashed}."
    if len(name) > 253 or len(labels) < 2 or not all(re.fullmatch(_DNS_LABEL, x) for x in labels):
        return "Each address must map to a DNS host name, e.g. {dashed}.turn.example.net."
    return None
