"""Cisco ASA access lists and Fortinet FortiOS CLI."""

from functools import lru_cache

from rules.constants import (
    FORTIGATE_APP_BLOCKS,
    FORTIGATE_GROUP_MEMBERS,
    FORTIGATE_GROUP_SLOTS,
    FORTIGATE_POLICY_BASE,
    FORTIGATE_POLICY_SLOTS,
)
from rules.document import Group, ports_parse
from rules.exceptions import RuleExportFailed
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, address_netmask, comment_block


@lru_cache(maxsize=1 << 17)
def _asa_address(network: str) -> str:
    """Return a canonical network's text as ASA writes it: ``host``, mask or prefix."""
    address, _, bits = network.partition("/")
    ipv6 = ":" in network
    if bits == ("128" if ipv6 else "32"):
        return f"host {address}"
    if ipv6:
        return network
    return " ".join(address_netmask(network))


@lru_cache(maxsize=4096)
def _asa_ports(text: str) -> tuple[str, ...]:
    """Return the ASA port matches of the port ranges written ``text`` (``ports_text``)."""
    pairs = ports_parse(text)
    return tuple(f"eq {start}" if start == end else f"range {start} {end}" for start, end in pairs)


def asa_source_group(acl: str, family: int) -> str:
    """Return the name of our network object group holding ``family``'s sources."""
    return f"{acl}-src{family}"


def _asa_source_groups(context: RenderContext, acl: str) -> tuple[list[str], dict[int, str]]:
    """Return the lines that replace our source object groups, and the source spec each
    family's access-list entries use (our group, or ``any`` for a family without sources).

    One group per family keeps the list at one entry per destination and port range
    however many source networks there are; an IPv6 entry only ever names IPv6 sources.
    """
    lines, specs = [], {}
    for family in (4, 6):
        group = asa_source_group(acl, family)
        lines.append(f"clear configure object-group network {group}")
        sources = context.document.sources_of_family(family)
        if not sources:
            specs[family] = "any"
            continue
        lines.append(f"object-group network {group}")
        lines.extend(f" network-object {_asa_address(source)}" for source in sources)
        specs[family] = f"object-group {group}"
    return lines, specs


def render_ciscoasa(context: RenderContext) -> str:
    """Render an extended access list (ASA 9.0+ unified ACLs carry IPv4 and IPv6 alike)
    whose sources are our network object group per family."""
    acl = context.app_tag
    notes = (
        "Paste in configuration mode (ASA 9.0 or later: unified IPv4/IPv6 access lists)",
        f"The first lines clear our access list {acl} and our source object groups, so",
        "pasting replaces them exactly and can be repeated. Bind the list only where no",
        f"access list is bound (access-group {acl} out interface outside); an interface",
        "that has yours keeps it: copy these lines into it",
    )
    group_lines, source_specs = _asa_source_groups(context, acl)
    lines = [f"clear configure access-list {acl}", *group_lines]
    remark, permit = f"access-list {acl} remark", f"access-list {acl} extended permit"
    append = lines.append
    for entry in context.entries:
        environment = ENVIRONMENT_TAGS.get(entry.environment, "env")
        append(f"{remark} {environment} {entry.purpose} {entry.id}")
        head = (
            f"{permit} {entry.protocol} {source_specs[entry.family]} "
            f"{_asa_address(entry.destination)} "
        )
        for ports in _asa_ports(entry.ports_text):
            append(head + ports)
    return comment_block(context.header_lines(notes), "!") + "\n".join(lines) + "\n"


def _forti_address(network: str) -> list[str]:
    if ":" in network:
        return [f"        set ip6 {network}"]
    address, netmask = address_netmask(network)
    return [f"        set subnet {address} {netmask}"]


def _forti_block(section: str, items: list[tuple[str, list[str]]]) -> list[str]:
    if not items:
        return []
    lines = [f"config {section}"]
    for name, settings in items:
        lines.append(f'    edit "{name}"' if not name.isdigit() else f"    edit {name}")
        lines.extend(settings)
        lines.append("    next")
    lines.append("end")
    return lines


def forti_policy_ids(context: RenderContext) -> range:
    """Return the policy ids reserved for this app: a fixed block derived from the App ID,
    high above the ids FortiOS gives out itself, so ours never take the customer's."""
    block = int(context.document.app_id[:6], 16) % FORTIGATE_APP_BLOCKS
    first = FORTIGATE_POLICY_BASE + block * FORTIGATE_POLICY_SLOTS
    return range(first, first + FORTIGATE_POLICY_SLOTS)


def forti_group_slots(context: RenderContext, family: int) -> list[str]:
    """Return the names of every address group slot of ``family`` this app may use."""
    return [f"{context.app_tag}-g{family}-{slot}" for slot in range(1, FORTIGATE_GROUP_SLOTS + 1)]


def _forti_groups(context: RenderContext, group: Group, family: int, slots: dict) -> list[tuple]:
    entries = group.of_family(family)
    names = context.address_names
    chunks = [
        entries[i : i + FORTIGATE_GROUP_MEMBERS]
        for i in range(0, len(entries), FORTIGATE_GROUP_MEMBERS)
    ]
    return [
        (
            next(slots[family], None),
            ["        set member " + " ".join(f'"{names[e.destination]}"' for e in chunk)],
        )
        for chunk in chunks
    ]


def _forti_sources(context: RenderContext) -> dict[int, list[tuple]]:
    items = {4: [], 6: []}
    for index, network in enumerate(context.document.source_networks, start=1):
        family = 6 if ":" in network else 4
        items[family].append((f"{context.app_tag}-src-{index}", _forti_address(network)))
    return items


def _forti_policy(policy_id, name, family: int, sources, destinations, service) -> tuple:
    suffix, other = ("", "6") if family == 4 else ("6", "")
    return (
        str(policy_id),
        [
            f'        set name "{name}"',
            # The id may have carried the other family in an earlier version.
            f"        unset srcaddr{other}",
            f"        unset dstaddr{other}",
            '        set srcintf "any"',
            '        set dstintf "any"',
            f"        set srcaddr{suffix} " + " ".join(f'"{s}"' for s in sources),
            f"        set dstaddr{suffix} " + " ".join(f'"{d}"' for d in destinations),
            "        set action accept",
            '        set schedule "always"',
            f'        set service "{service}"',
        ],
    )


def _forti_purge(context: RenderContext, used_policies: int, groups: dict) -> list[str]:
    """Return the deletions of our policy ids and group slots this version leaves unused
    (policies first: a group in use cannot be deleted). FortiOS answers "entry not found"
    for a slot that was never used and goes on."""
    ids = forti_policy_ids(context)
    lines = ["config firewall policy"]
    lines += [f"    delete {policy_id}" for policy_id in ids[used_policies:]]
    lines.append("end")
    for family, section in ((4, "firewall addrgrp"), (6, "firewall addrgrp6")):
        unused = forti_group_slots(context, family)[len(groups[family]) :]
        lines += [f"config {section}", *(f'    delete "{name}"' for name in unused), "end"]
    return lines


def _forti_objects(context: RenderContext):
    """Return our groups per family, services and policies, on fixed ids and slots."""
    source_items = _forti_sources(context)
    slots = {family: iter(forti_group_slots(context, family)) for family in (4, 6)}
    policy_ids = iter(forti_policy_ids(context))
    groups = {4: [], 6: []}
    services, policies = [], []
    for group in context.groups:
        service = context.group_name(group, "svc")
        ports = " ".join(str(a) if a == b else f"{a}-{b}" for a, b in group.ports)
        services.append((service, [f"        set {group.protocol}-portrange {ports}"]))
        for family in (4, 6):
            family_groups = _forti_groups(context, group, family, slots)
            if family_groups:
                groups[family].extend(family_groups)
                sources = [name for name, _ in source_items[family]] or ["all"]
                destinations = [name for name, _ in family_groups]
                name = context.group_name(group, family)
                policies.append(
                    _forti_policy(next(policy_ids), name, family, sources, destinations, service)
                )
    return source_items, groups, services, policies


def render_fortigate(context: RenderContext) -> str:
    """Render FortiOS 6.4+ CLI on fixed names: address groups in our slots
    ``<app>-g1…``, policies on our fixed ids. ``set member`` and each policy's settings
    replace what an earlier version set there, and the slots and ids this version leaves
    unused are deleted, so pasting moves any earlier version to exactly this one and can
    be repeated; nothing outside our names and ids is touched."""
    ids = forti_policy_ids(context)
    notes = (
        "Paste into the CLI; interfaces are any, adjust srcintf/dstintf to yours",
        f"Our policies use the fixed ids {ids[0]}-{ids[-1]} and our address groups the",
        f"names {context.app_tag}-g4-*/-g6-*: pasting replaces them, then deletes those",
        'this version leaves unused ("entry not found" for one never used is harmless)',
    )
    addresses = {4: {}, 6: {}}
    address_names = context.address_names
    for entry in context.entries:
        name = address_names[entry.destination]
        if name not in addresses[entry.family]:
            addresses[entry.family][name] = _forti_address(entry.destination)
    source_items, groups, services, policies = _forti_objects(context)
    slots_short = any(name is None for family in (4, 6) for name, _ in groups[family])
    if len(policies) > len(ids) or slots_short:
        raise RuleExportFailed(
            f"Version {context.document.version} needs more FortiGate policies or address "
            f"groups than an app has ({len(ids)} policies and {FORTIGATE_GROUP_SLOTS} groups "
            f"of {FORTIGATE_GROUP_MEMBERS} per family): use another format for this app."
        )
    lines = [
        *_forti_block("firewall address", source_items[4] + list(addresses[4].items())),
        *_forti_block("firewall address6", source_items[6] + list(addresses[6].items())),
        *_forti_block("firewall addrgrp", groups[4]),
        *_forti_block("firewall addrgrp6", groups[6]),
        *_forti_block("firewall service custom", services),
        *_forti_block("firewall policy", policies),
        *_forti_purge(context, len(policies), groups),
    ]
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
