"""Where a webhook may be sent: the URL's form, and the addresses its host may reach.

A URL is checked when it is saved (its form, and its host when that is a literal address)
and again at every delivery, after its host name is resolved: the delivery connects to
the very address that passed, so a name re-pointed at an internal address in between
(DNS rebinding) reaches nothing. Private, loopback, link-local, multicast, reserved and
other non-global addresses are refused unless ``WEBHOOK_ALLOW_PRIVATE_DESTINATIONS``.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from webhooks.constants import URL_MAX_LENGTH

DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationRefused(Exception):
    """The destination may not be reached; the message says why."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line


def insecure_http_allowed() -> bool:
    return bool(settings.DEBUG or settings.WEBHOOK_ALLOW_INSECURE_HTTP)


def private_destinations_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS)


def address_problem(address: str) -> str:
    """Return why ``address`` (an IP address) may not be reached, or "" when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if private_destinations_allowed():
        return ""
    for kind in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return f"{ip} is a {kind.replace('_', '-')} address; webhooks go to public addresses."
    if not ip.is_global:
        return f"{ip} is not a public address; webhooks go to public addresses."
    return ""


def destination_parse(url: str) -> Destination:
    """Return the parts of ``url`` a delivery needs; raise DestinationRefused if its form
    is not that of a webhook URL."""
    if len(url) > URL_MAX_LENGTH:
        raise DestinationRefused(f"Use a URL of at most {URL_MAX_LENGTH} characters.")
    if any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        raise DestinationRefused("A URL may not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise DestinationRefused(f"Not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise DestinationRefused("Use an https:// URL.")
    if scheme == "http" and not insecure_http_allowed():
        raise DestinationRefused("Use an https:// URL: plain http is not allowed.")
    if not parts.hostname:
        raise DestinationRefused("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused("Leave user names and passwords out of the URL.")
    if parts.fragment:
        raise DestinationRefused("Leave the #fragment out of the URL.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme, parts.hostname, port or DEFAULT_PORTS[scheme], target)


def _literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None


def url_problem(url: str) -> str:
    """Return why ``url`` can't be saved as a webhook endpoint, or "" when it can.

    A host given as an address is checked now; a host name when it is resolved, at
    delivery.
    """
    try:
        destination = destination_parse(url)
    except DestinationRefused as exc:
        return str(exc)
    literal = _literal_address(destination.host)
    return address_problem(literal) if literal else ""


def destination_resolve(destination: Destination) -> str:
    """Return the address to connect to: the first of the host's addresses that passes
    the checks; raise DestinationRefused when none does or the name does not resolve."""
    try:
        found = socket.getaddrinfo(
            destination.host, destination.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError) as exc:
        raise DestinationRefused(f"Could not resolve {destination.host}: {exc}.") from exc
    problems = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = str(sockaddr[0])
        problem = address_problem(address)
        if not problem:
            return address
        problems.append(problem)
    raise DestinationRefused(
        f"{destination.host} resolves to no address webhooks may reach: "
        + (" ".join(sorted(set(problems))) or "no addresses.")
    )
