"""Palo Alto Networks PAN-OS: an XML configuration fragment (addresses, groups, services,
security rules) for ``load config partial``."""

from xml.etree import ElementTree as ET

from rules.exports.base import RenderContext

FROM_ZONE = "trust"
TO_ZONE = "untrust"


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _members(parent, tag: str, names) -> None:
    container = _sub(parent, tag)
    for name in names:
        _sub(container, "member", name)


def _header(context: RenderContext) -> str:
    xpath = "/config/devices/entry[@name='localhost.localdomain']/vsys/entry[@name='vsys1']"
    notes = (
        "Import it (Device > Setup > Operations > Import named configuration snapshot),",
        "then for each of address, address-group, service and rulebase/security/rules run: load",
        f"config partial mode merge from <this file> from-xpath {xpath}/<node> to-xpath",
        f"{xpath}/<node>, then commit; zones {FROM_ZONE} to {TO_ZONE}",
        f"Delete objects named {context.app_tag}-* that this file no longer lists",
    )
    # An XML comment must not contain two hyphens in a row.
    text = "\n".join(line.replace("--", "- -") for line in context.header_lines(notes))
    return f"<!--\n{text}\n-->\n"


def _source_addresses(context: RenderContext, addresses) -> dict[int, list[str]]:
    """Add an address object per source network; return their names per family."""
    source_names: dict[int, list[str]] = {4: [], 6: []}
    for family in (4, 6):
        for index, network in enumerate(context.sources_of_family(family), start=1):
            name = f"{context.app_tag}-src{family}-{index}"
            source_names[family].append(name)
            _sub(_sub(addresses, "entry", name=name), "ip-netmask", network)
    return source_names


def render_paloalto(context: RenderContext) -> str:
    """Render the rule set as a PAN-OS vsys configuration fragment."""
    root = ET.Element("config")
    vsys = _sub(
        _sub(_sub(_sub(root, "devices"), "entry", name="localhost.localdomain"), "vsys"),
        "entry",
        name="vsys1",
    )
    addresses = _sub(vsys, "address")
    groups = _sub(vsys, "address-group")
    services = _sub(vsys, "service")
    rules = _sub(_sub(_sub(vsys, "rulebase"), "security"), "rules")

    defined: set[str] = set()
    source_names = _source_addresses(context, addresses)
    for group in context.groups:
        service_name = context.group_name(group, "svc")
        protocol = _sub(_sub(services, "entry", name=service_name), "protocol")
        ports = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in group.ports)
        _sub(_sub(protocol, group.protocol), "port", ports)
        for family in (4, 6):
            entries = group.of_family(family)
            if not entries:
                continue
            group_name = context.group_name(group, f"dst{family}")
            members = []
            for entry in entries:
                name = context.address_name(entry.destination)
                members.append(name)
                if name not in defined:
                    defined.add(name)
                    _sub(_sub(addresses, "entry", name=name), "ip-netmask", entry.destination)
            _members(_sub(groups, "entry", name=group_name), "static", members)
            rule = _sub(rules, "entry", name=context.group_name(group, f"v{family}"))
            _members(rule, "from", [FROM_ZONE])
            _members(rule, "to", [TO_ZONE])
            _members(rule, "source", source_names[family] or ["any"])
            _members(rule, "destination", [group_name])
            _members(rule, "service", [service_name])
            _members(rule, "application", ["any"])
            _sub(rule, "action", "allow")

    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _header(context) + body + "\n"
