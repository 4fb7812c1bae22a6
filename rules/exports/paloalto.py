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
    slots = panos_slot_names(context.app_tag)
    used: dict[str, list[str]] = {key: [] for key in slots}
    for group in context.groups:
        service_name = _take(slots, used, "service")
        protocol = _sub(_sub(services, "entry", name=service_name), "protocol")
        ports = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in group.ports)
        _sub(_sub(protocol, group.protocol), "port", ports)
        for family in (4, 6):
            entries = group.of_family(family)
            if not entries:
                continue
            group_name = _take(slots, used, "address-group", family)
            members = []
            for entry in entries:
                name = context.address_name(entry.destination)
                members.append(name)
                if name not in defined:
                    defined.add(name)
                    _sub(_sub(addresses, "entry", name=name), "ip-netmask", entry.destination)
            _members(_sub(groups, "entry", name=group_name), "static", members)
            rule = _sub(rules, "entry", name=_take(slots, used, "rulebase/security/rules", family))
            _members(rule, "from", [FROM_ZONE])
            _members(rule, "to", [TO_ZONE])
            _members(rule, "source", source_names[family] or ["any"])
            _members(rule, "destination", [group_name])
            _members(rule, "service", [service_name])
            _members(rule, "application", ["any"])
            _sub(rule, "action", "allow")

    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _header(context, used) + body + "\n"


def _take(slots: dict, used: dict, node: str, family: int | None = None) -> str:
    """Return the next free slot name of ``node`` (of ``family``), noting it as used."""
    marker = "" if family is None else f"{family}-"
    for name in slots[node]:
        if name not in used[node] and name.rsplit("-", 2)[-2].endswith(marker.rstrip("-")):
            used[node].append(name)
            return name
    raise ValueError(f"The rule set needs more PAN-OS {node} slots than reserved.")
