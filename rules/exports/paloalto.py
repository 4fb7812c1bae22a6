"""Palo Alto Networks PAN-OS: an XML configuration fragment (addresses, groups, services,
security rules) for ``load config partial``."""

import re
from xml.sax.saxutils import escape

from rules.exports.base import RenderContext

FROM_ZONE = "trust"
TO_ZONE = "untrust"


# What escaping changes; the names and networks written here (tens of thousands in a large
# rule set) mostly hold none of it and are written as they are.
_SPECIAL = re.compile(r'[&<>"\n\r\t]')


def _text(value: str) -> str:
    return escape(value) if _SPECIAL.search(value) else value


def _attribute(value: str) -> str:
    if not _SPECIAL.search(value):
        return value
    return escape(value, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"})


class _Xml:
    """Lines of an indented XML document, written as ElementTree's ``indent`` and
    ``tostring`` write them (two spaces a level, ``<tag />`` when empty), every text
    and attribute escaped; without a tree of thousands of elements to build and walk."""

    def __init__(self):
        self.lines: list[str] = []

    def open(self, depth: int, tag: str, name: str | None = None) -> None:
        attributes = f' name="{_attribute(name)}"' if name is not None else ""
        self.lines.append(f"{'  ' * depth}<{tag}{attributes}>")

    def close(self, depth: int, tag: str) -> None:
        self.lines.append(f"{'  ' * depth}</{tag}>")

    def leaf(self, depth: int, tag: str, text: str) -> None:
        self.lines.append(f"{'  ' * depth}<{tag}>{_text(text)}</{tag}>")

    def members(self, depth: int, tag: str, names) -> None:
        indent = "  " * (depth + 1)
        self.open(depth, tag)
        self.lines.extend(f"{indent}<member>{_text(name)}</member>" for name in names)
        self.close(depth, tag)

    def section(self, depth: int, tag: str, body: "_Xml") -> None:
        """Add ``body``'s lines inside ``tag``, or ``<tag />`` when it has none."""
        if not body.lines:
            self.lines.append(f"{'  ' * depth}<{tag} />")
            return
        self.open(depth, tag)
        self.lines.extend(body.lines)
        self.close(depth, tag)


VSYS_XPATH = "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']"
# Fixed slots for our address groups and security rules (per family) and services, so an
# update finds an earlier version's objects by name and deletes the ones it leaves unused.
PANOS_SLOTS = 64


def panos_slot_names(app_tag: str) -> dict[str, list[str]]:
    """Return, per node, every slot name our rules, groups and services may take."""
    slots = range(1, PANOS_SLOTS + 1)
    return {
        "rulebase/security/rules": [f"{app_tag}-r{f}-{n}" for f in (4, 6) for n in slots],
        "address-group": [f"{app_tag}-g{f}-{n}" for f in (4, 6) for n in slots],
        "service": [f"{app_tag}-s{n}" for n in slots],
    }


def _load_commands(used: dict[str, list[str]], app_tag: str) -> list[str]:
    """Return the complete operational and configuration commands that load this file."""
    lines = [
        "load config partial mode merge from <this file> "
        f"from-xpath {VSYS_XPATH}/address to-xpath {VSYS_XPATH}/address",
    ]
    for node in ("service", "address-group", "rulebase/security/rules"):
        for name in used[node]:
            xpath = f"{VSYS_XPATH}/{node}/entry[@name='{name}']"
            lines.append(
                f"load config partial mode replace from <this file> from-xpath {xpath} "
                f"to-xpath {xpath}"
            )
    lines.append("configure, then delete the slots this version leaves unused:")
    for node in ("rulebase/security/rules", "address-group", "service"):
        words = node.replace("/", " ")
        lines.extend(
            f"delete {words} {name}"
            for name in panos_slot_names(app_tag)[node]
            if name not in used[node]
        )
    lines.append("commit")
    return lines


def _header(context: RenderContext, used: dict[str, list[str]]) -> str:
    notes = (
        "Import it (Device > Setup > Operations > Import named configuration snapshot), then",
        "run these commands: the addresses are merged (named by their network), our service,",
        "group and rule slots replaced one by one, and the unused slots deleted, so loading",
        "moves any earlier version to exactly this one and can be repeated; objects of yours",
        f"are not touched. Zones {FROM_ZONE} to {TO_ZONE}. Address objects of earlier versions",
        "that no rule references any more stay until you delete them (the changes endpoint",
        "lists them):",
        *(f"  {line}" for line in _load_commands(used, context.app_tag)),
    )
    # An XML comment must not contain two hyphens in a row.
    text = "\n".join(line.replace("--", "- -") for line in context.header_lines(notes))
    return f"<!--\n{text}\n-->\n"


# Depths in the document: <config> 0, <devices> 1, its <entry> 2, <vsys> 3, its <entry>
# 4, the sections 5, their entries 6.
_SECTION, _ENTRY = 5, 6


def _source_addresses(context: RenderContext, addresses: _Xml) -> dict[int, list[str]]:
    """Add an address object per source network; return their names per family."""
    source_names: dict[int, list[str]] = {4: [], 6: []}
    for family in (4, 6):
        for index, network in enumerate(context.sources_of_family(family), start=1):
            name = f"{context.app_tag}-src{family}-{index}"
            source_names[family].append(name)
            _address(addresses, name, network)
    return source_names


def _address(addresses: _Xml, name: str, network: str) -> None:
    addresses.open(_ENTRY, "entry", name)
    addresses.leaf(_ENTRY + 1, "ip-netmask", network)
    addresses.close(_ENTRY, "entry")


def _rule(rules: _Xml, name: str, sources, group_name: str, service_name: str) -> None:
    rules.open(_ENTRY + 2, "entry", name)
    for tag, members in (("from", [FROM_ZONE]), ("to", [TO_ZONE]), ("source", sources),
                         ("destination", [group_name]), ("service", [service_name]),
                         ("application", ["any"])):  # fmt: skip
        rules.members(_ENTRY + 3, tag, members)
    rules.leaf(_ENTRY + 3, "action", "allow")
    rules.close(_ENTRY + 2, "entry")


def _service(services: _Xml, name: str, protocol: str, ports: str) -> None:
    services.open(_ENTRY, "entry", name)
    services.open(_ENTRY + 1, "protocol")
    services.open(_ENTRY + 2, protocol)
    services.leaf(_ENTRY + 3, "port", ports)
    services.close(_ENTRY + 2, protocol)
    services.close(_ENTRY + 1, "protocol")
    services.close(_ENTRY, "entry")


def _objects(context: RenderContext, used: dict[str, list[str]]) -> dict[str, _Xml]:
    """Return the vsys sections: addresses, address groups, services and rules."""
    sections = {name: _Xml() for name in ("address", "address-group", "service", "rules")}
    addresses, groups = sections["address"], sections["address-group"]
    defined: set[str] = set()
    source_names = _source_addresses(context, addresses)
    slots = panos_slot_names(context.app_tag)
    address_names = context.address_names
    for group in context.groups:
        service_name = _take(slots, used, "service")
        ports = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in group.ports)
        _service(sections["service"], service_name, group.protocol, ports)
        for family in (4, 6):
            entries = group.of_family(family)
            if not entries:
                continue
            group_name = _take(slots, used, "address-group", family)
            members = []
            for entry in entries:
                name = address_names[entry.destination]
                members.append(name)
                if name not in defined:
                    defined.add(name)
                    _address(addresses, name, entry.destination)
            groups.open(_ENTRY, "entry", group_name)
            groups.members(_ENTRY + 1, "static", members)
            groups.close(_ENTRY, "entry")
            rule_name = _take(slots, used, "rulebase/security/rules", family)
            _rule(sections["rules"], rule_name, source_names[family] or ["any"], group_name,
                  service_name)  # fmt: skip
    return sections


def render_paloalto(context: RenderContext) -> str:
    """Render the rule set as a PAN-OS vsys configuration fragment."""
    used: dict[str, list[str]] = {key: [] for key in panos_slot_names(context.app_tag)}
    sections = _objects(context, used)
    xml = _Xml()
    for depth, (tag, name) in enumerate(
        (("config", None), ("devices", None), ("entry", "localhost.localdomain"),
         ("vsys", None), ("entry", "vsys1"))
    ):  # fmt: skip
        xml.open(depth, tag, name)
    for tag in ("address", "address-group", "service"):
        xml.section(_SECTION, tag, sections[tag])
    for depth, tag in enumerate(("rulebase", "security"), start=_SECTION):
        xml.open(depth, tag)
    xml.section(_SECTION + 2, "rules", sections["rules"])
    for depth, tag in reversed(list(enumerate(
        ("config", "devices", "entry", "vsys", "entry", "rulebase", "security")
    ))):  # fmt: skip
        xml.close(depth, tag)
    body = "\n".join(xml.lines)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _header(context, used) + body + "\n"


def _take(slots: dict, used: dict, node: str, family: int | None = None) -> str:
    """Return the next free slot name of ``node`` (of ``family``), noting it as used."""
    marker = "" if family is None else f"{family}-"
    for name in slots[node]:
        if name not in used[node] and name.rsplit("-", 2)[-2].endswith(marker.rstrip("-")):
            used[node].append(name)
            return name
    raise ValueError(f"The rule set needs more PAN-OS {node} slots than reserved.")
