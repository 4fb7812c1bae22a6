"""Refuse to render a rule set that holds anything but canonical values.

Input validation keeps customer text out of rule sets, but rows written straight to the
database (or by an older release) bypass it. Every renderer prints networks, ids and
choice values verbatim, so each is checked here against its exact syntax first.
"""

import re
import socket
from functools import lru_cache
from operator import attrgetter

from accounts.validators import is_canonical_network
from rules.constants import ENTRY_ID_LENGTH
from rules.exceptions import UnsafeRuleSet
from rules.exports.memo import DocumentMemo

_APP_ID = re.compile(r"[0-9a-f]{32}")
_VERSION = re.compile(r"[0-9]{10}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENTRY_ID = re.compile(rf"[0-9a-f]{{{ENTRY_ID_LENGTH}}}")
_ENTRY_IDS = re.compile(rf"(?:[0-9a-f]{{{ENTRY_ID_LENGTH}}}\|)*")
_PURPOSE = re.compile(r"[a-z0-9][a-z0-9+-]{0,99}")
_ENVIRONMENTS = ("test", "production")
_PROTOCOLS = ("tcp", "udp")
_SHOWN = 40
_id_of, _destination_of = attrgetter("id"), attrgetter("destination")
_choices_of = attrgetter("protocol", "environment", "purpose")
# Documents already found safe, by identity: checked once rather than once per format.
_CHECKED = DocumentMemo(size=8)


# An IPv4 network exactly as str(ip_network(...)) writes it: decimal octets and prefix
# without leading zeros (ASCII digits only).
_IPV4_CIDR = re.compile(r"((?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3})/(0|[1-9][0-9]?)")


def _canonical_ipv4(value: str) -> bool:
    """Return True only if ``value`` is certainly a canonical IPv4 network: in the text
    form above, octets up to 255, a prefix up to 32 and no host bits. False means
    "not known here" (IPv6, anything else): the full parse decides."""
    match = _IPV4_CIDR.fullmatch(value)
    if match is None:
        return False
    prefix = int(match[2])
    if prefix > 32:
        return False
    try:
        # Four decimal octets of up to three digits (the pattern): refused over 255.
        address = int.from_bytes(socket.inet_aton(match[1]))
    except OSError:
        return False
    return address & ((1 << (32 - prefix)) - 1) == 0


@lru_cache(maxsize=1 << 17)
def _canonical_text(value: str) -> bool:
    return _canonical_ipv4(value) or is_canonical_network(value)


def _is_canonical(value) -> bool:
    """Return whether ``value`` is a canonical network; the answer depends on the text
    alone, so it is remembered across documents (versions share most destinations)."""
    return isinstance(value, str) and _canonical_text(value)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "\u2026"


def _entry_problems(entry) -> list[str]:
    problems = []
    if not _is_canonical(entry.destination):
        problems.append(f"destination {_shown(entry.destination)} is not a canonical network")
    if not (isinstance(entry.id, str) and _ENTRY_ID.fullmatch(entry.id)):
        problems.append(f"entry id {_shown(entry.id)} is malformed")
    if entry.protocol not in _PROTOCOLS or entry.environment not in _ENVIRONMENTS:
        problems.append(f"entry {_shown(entry.id)} has an unknown protocol or environment")
    if not (isinstance(entry.purpose, str) and _PURPOSE.fullmatch(entry.purpose)):
        problems.append(f"entry {_shown(entry.id)} has a malformed purpose")
    return problems


def document_problems(document) -> list[str]:
    """Return one line per value of ``document`` that is not in its canonical form."""
    problems = [
        f"source network {_shown(network)} is not a canonical network"
        for network in document.source_networks
        if not _is_canonical(network)
    ]
    if not _APP_ID.fullmatch(str(document.app_id)):
        problems.append(f"App ID {_shown(document.app_id)} is malformed")
    if not _VERSION.fullmatch(str(document.version)):
        problems.append(f"version {_shown(document.version)} is malformed")
    if not _SHA256.fullmatch(str(document.sha256)):
        problems.append("the sha256 is malformed")
    if not _entries_safe(document.entries):
        for entry in document.entries:
            problems.extend(_entry_problems(entry))
    return problems


def _entries_safe(entries) -> bool:
    """Return whether every entry is canonical, checking each distinct destination and
    each distinct (protocol, environment, purpose) once; ``_entry_problems`` says what is
    wrong."""
    try:
        # join refuses anything but text: a non-text id is certainly not canonical.
        ids = "|".join(map(_id_of, entries)) + "|" if entries else ""
        return (
            _ENTRY_IDS.fullmatch(ids) is not None
            and all(map(_is_canonical, set(map(_destination_of, entries))))
            and all(
                protocol in _PROTOCOLS
                and environment in _ENVIRONMENTS
                and isinstance(purpose, str)
                and _PURPOSE.fullmatch(purpose)
                for protocol, environment, purpose in set(map(_choices_of, entries))
            )
        )
    except TypeError:  # An unhashable value or a non-text id: certainly not canonical.
        return False


def document_check_safe(document) -> None:
    """Raise UnsafeRuleSet naming what is wrong if ``document`` holds non-canonical values."""
    _CHECKED.get(document, "safe", lambda: _check(document))


def _check(document) -> bool:
    problems = document_problems(document)
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise UnsafeRuleSet(
            f"Version {_shown(document.version)} cannot be rendered: {shown}{more}. "
            "Correct the app's source networks and publish again."
        )
    return True
