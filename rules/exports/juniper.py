"""Juniper SRX: Junos ``set`` commands (address book, applications, security policies)."""

from rules.document import Group
from rules.exports.base import RenderContext, comment_block

FROM_ZONE = "trust"
TO_ZONE = "untrust"


def _applications(context: RenderContext, group: Group) -> tuple[list[str], str]:
    """Return the commands defining a group's ports, and the application(-set) name."""
    lines = []
    names = []
    # Applications are named by protocol and ports, so groups share them; redefining one
    # with the same values is harmless in Junos.
    for start, end in group.ports:
        ports = str(start) if start == end else f"{start}-{end}"
        name = f"{context.app_tag}-{group.protocol}-{ports}"
        names.append(name)
        lines.append(
            f"set applications application {name} protocol {group.protocol} "
            f"destination-port {ports}"
        )
    set_name = context.group_name(group, "apps")
    lines.extend(f"set applications application-set {set_name} application {n}" for n in names)
    return lines, set_name


def render_srx(context: RenderContext) -> str:
    """Render Junos set commands: addresses in the global address book, one policy per
    group from the trust zone to the untrust zone."""
    notes = (
        f"Load with: load set terminal (or load set <file>); zones {FROM_ZONE} -> {TO_ZONE}",
        "rename the zones in the policy lines if yours differ",
    )
    book = "set security address-book global"
    lines = []
    defined: set[str] = set()
    source_names = []
    for index, network in enumerate(context.document.source_networks, start=1):
        name = f"{context.app_tag}-src-{index}"
        source_names.append(name)
        lines.append(f"{book} address {name} {network}")
    for group in context.groups:
        address_set = context.group_name(group, "dst")
        for entry in group.entries:
            name = context.address_name(entry.destination)
            if name not in defined:
                defined.add(name)
                lines.append(f"{book} address {name} {entry.destination}")
            lines.append(f"{book} address-set {address_set} address {name}")
        app_lines, app_set = _applications(context, group)
        lines.extend(app_lines)
        policy = (
            f"set security policies from-zone {FROM_ZONE} to-zone {TO_ZONE} "
            f"policy {context.group_name(group)}"
        )
        lines.extend(f"{policy} match source-address {name}" for name in source_names or ["any"])
        lines.append(f"{policy} match destination-address {address_set}")
        lines.append(f"{policy} match application {app_set}")
        lines.append(f"{policy} then permit")
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
