"""Plain-text words for a version's changes, shared by the Atom feed and the e-mails.

Pure functions of the change dicts that ``rules.selectors`` gives (the shape of
``GET …/rules/changes/``), so every channel says the same thing.
"""

import re

from rules.choices import ChangeDisposition

_SIGNS = {
    ChangeDisposition.REMOVED: "- removed",
    ChangeDisposition.ADDED: "+ added",
    ChangeDisposition.CHANGED: "~ changed",
}
# XML 1.0 cannot carry these; the Atom generator refuses them rather than write bad XML.
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Return ``text`` with the characters XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_UNSAFE.sub("\ufffd", text)


def _when(iso: str) -> str:
    return iso.replace("T", " ")[:16] + " UTC"


def change_line(change: dict) -> str:
    """Return one line saying what a change does, e.g. ``+ added production TCP
    203.0.113.5/32 ports 443,4000 (signalling), from 2026-12-03 10:00 UTC``."""
    sign = _SIGNS.get(change["disposition"], change["disposition"])
    line = (
        f"{sign} {change['environment']} {change['protocol'].upper()} "
        f"{change['destination']} ports {change['ports']}"
    )
    if change.get("purpose"):
        line += f" ({change['purpose']})"
    if change["disposition"] == ChangeDisposition.REMOVED:
        line += f", leaves the whitelist {_when(change['effective_at'])}"
    else:
        line += f", from {_when(change['effective_at'])}"
    previous = change.get("previous") or {}
    if "source_networks" in previous:
        before = ", ".join(previous["source_networks"]) or "any"
        line += f"; source networks were {before}"
    if "purpose" in previous:
        line += f"; purpose was {previous['purpose']}"
    return line


def change_lines(changes) -> list[str]:
    """Return a line per change: removals, additions, then changes, each by environment,
    destination, protocol and ports."""
    order = {disposition: rank for rank, disposition in enumerate(_SIGNS)}
    ordered = sorted(
        changes,
        key=lambda c: (
            order.get(c["disposition"], len(order)),
            c["environment"],
            c["destination"],
            c["protocol"],
            c["ports"],
        ),
    )
    return [change_line(change) for change in ordered]


def change_headline(changes) -> str:
    """Return a short count of ``changes`` by destination, e.g. ``1 destination added,
    2 destinations removed`` (a destination's ports and protocols count once)."""
    destinations = {disposition: set() for disposition in ChangeDisposition.values}
    for change in changes:
        key = (change["environment"], change["destination"])
        destinations.setdefault(change["disposition"], set()).add(key)
    parts = [
        f"{len(keys)} destination{'s' if len(keys) != 1 else ''} {disposition}"
        for disposition, keys in destinations.items()
        if keys
    ]
    return ", ".join(parts) if parts else "no change in destinations or ports"
