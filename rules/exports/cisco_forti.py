"""Cisco ASA access lists and Fortinet FortiOS CLI."""

import ipaddress

from rules.constants import FORTIGATE_GROUP_MEMBERS
from rules.document import Entry, Group
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block


def _asa_address(network) -> str:
    parsed = ipaddress.ip_network(network) if isinstance(network, str) else network
    if parsed.num_addresses == 1:
        return f"host {parsed.network_address}"
    if parsed.version == 4:
        return f"{parsed.network_address} {parsed.netmask}"
    return str(parsed)


def _asa_ports(start: int, end: int) -> str:
    return f"eq {start}" if start == end else f"range {start} {end}"


def render_ciscoasa(context: RenderContext) -> str:
    """Render an extended access list (ASA 9.0+ unified ACLs carry IPv4 and IPv6 alike)."""
    acl = context.app_tag
    notes = (
        "Paste in configuration mode (ASA 9.0 or later: unified IPv4/IPv6 access lists)",
        f"The first line clears our access list {acl}, so pasting replaces it exactly and",
        f"can be repeated. Bind it only where no access list is bound (access-group {acl} out",
        "interface outside); an interface that has yours keeps it: copy these lines into it",
    )
    lines = [f"clear configure access-list {acl}"]
    for entry in context.entries:
        sources = context.document.sources_of_family(entry.family)
        source_specs = [_asa_address(s) for s in sources] or ["any"]
        environment = ENVIRONMENT_TAGS.get(entry.environment, "env")
        lines.append(f"access-list {acl} remark {environment} {entry.purpose} {entry.id}")
        destination = _asa_address(entry.network)
        for source in source_specs:
            for start, end in entry.ports:
                lines.append(
                    f"access-list {acl} extended permit {entry.protocol} {source} "
                    f"{destination} {_asa_ports(start, end)}"
                )
    return comment_block(context.header_lines(notes), "!") + "\n".join(lines) + "\n"


def _forti_address(entry: Entry) -> list[str]:
    if entry.family == 4:
        network = entry.network
        return [f"        set subnet {network.network_address} {network.netmask}"]
    return [f"        set ip6 {entry.destination}"]


def _forti_block(section: str, items: list[tuple[str, list[str]]]) -> list[str]:
    if not items:
        return []
    lines = [f"config {section}"]
    for name, settings in items:
        lines.append(f'    edit "{name}"' if name != "0" else "    edit 0")
        lines.extend(settings)
        lines.append("    next")
    lines.append("end")
    return lines


def _forti_groups(context: RenderContext, group: Group, family: int) -> list[tuple]:
    entries = group.of_family(family)
    chunks = [
        entries[i : i + FORTIGATE_GROUP_MEMBERS]
        for i in range(0, len(entries), FORTIGATE_GROUP_MEMBERS)
    ]
    return [
        (
            context.group_name(group, f"v{family}", index),
            [
                "        set member "
                + " ".join(f'"{context.address_name(e.destination)}"' for e in chunk)
            ],
        )
        for index, chunk in enumerate(chunks, start=1)
    ]


def _forti_sources(context: RenderContext) -> dict[int, list[tuple]]:
    items = {4: [], 6: []}
    for index, network in enumerate(context.document.source_networks, start=1):
        parsed = ipaddress.ip_network(network)
        setting = (
            f"        set subnet {parsed.network_address} {parsed.netmask}"
            if parsed.version == 4
            else f"        set ip6 {network}"
        )
        items[parsed.version].append((f"{context.app_tag}-src-{index}", [setting]))
    return items


def _forti_policy(context, group: Group, family: int, sources, destinations, service) -> tuple:
    suffix = "" if family == 4 else "6"
    return (
        "0",
        [
            f'        set name "{context.group_name(group, family)}"',
            '        set srcintf "any"',
            '        set dstintf "any"',
            f"        set srcaddr{suffix} " + " ".join(f'"{s}"' for s in sources),
            f"        set dstaddr{suffix} " + " ".join(f'"{d}"' for d in destinations),
            "        set action accept",
            '        set schedule "always"',
            f'        set service "{service}"',
        ],
    )


def render_fortigate(context: RenderContext) -> str:
    """Render FortiOS 6.4+ CLI: addresses, groups, custom services and policies."""
    notes = ("Paste into the CLI; interfaces are any, adjust srcintf/dstintf to yours",)
    addresses = {4: {}, 6: {}}
    for entry in context.entries:
        name = context.address_name(entry.destination)
        addresses[entry.family].setdefault(name, _forti_address(entry))
    source_items = _forti_sources(context)
    groups = {4: [], 6: []}
    services = []
    policies = []
    for group in context.groups:
        service = context.group_name(group, "svc")
        ports = " ".join(str(a) if a == b else f"{a}-{b}" for a, b in group.ports)
        services.append((service, [f"        set {group.protocol}-portrange {ports}"]))
        for family in (4, 6):
            family_groups = _forti_groups(context, group, family)
            if family_groups:
                groups[family].extend(family_groups)
                sources = [name for name, _ in source_items[family]] or ["all"]
                destinations = [name for name, _ in family_groups]
                policies.append(
                    _forti_policy(context, group, family, sources, destinations, service)
                )
    lines = [
        *_forti_block("firewall address", source_items[4] + list(addresses[4].items())),
        *_forti_block("firewall address6", source_items[6] + list(addresses[6].items())),
        *_forti_block("firewall addrgrp", groups[4]),
        *_forti_block("firewall addrgrp6", groups[6]),
        *_forti_block("firewall service custom", services),
        *_forti_block("firewall policy", policies),
    ]
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
