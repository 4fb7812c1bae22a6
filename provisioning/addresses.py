"""IP address arithmetic: sortable keys and the usable range of a prefix.

Pure functions over ``ipaddress`` objects, with no database access of their own.
"""

import ipaddress

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
