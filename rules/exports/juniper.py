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
    """Render Junos set commands inside our own configuration group: the file first deletes
    the group, so loading it replaces exactly our objects (any earlier version) and can be
    repeated; one policy per group and family, from the trust zone to the untrust zone."""
    group_root = context.app_tag
    notes = (
        f"Load with: load set terminal (or load set <file>), then commit; zones {FROM_ZONE} -> "
        f"{TO_ZONE}, rename them in the policy lines if yours differ",
        f"Everything is in configuration group {group_root}: the first line deletes it, so",
        "loading replaces our objects only (warning: statement not found the first time)",
    )
    prefix = f"set groups {group_root}"
    book = f"{prefix} security address-book global"
    lines = [f"delete groups {group_root}"]
    defined: set[str] = set()
    source_names: dict[int, list[str]] = {4: [], 6: []}
    address_names = context.address_names
    for family in (4, 6):
        for index, network in enumerate(context.sources_of_family(family), start=1):
            name = f"{context.app_tag}-src{family}-{index}"
            source_names[family].append(name)
            lines.append(f"{book} address {name} {network}")
    for group in context.groups:
        app_lines, app_set = _applications(context, group)
        lines.extend(f"{prefix} {line.removeprefix('set ')}" for line in app_lines)
        for family in (4, 6):
            entries = group.of_family(family)
            if not entries:
                continue
            address_set = context.group_name(group, f"dst{family}")
            for entry in entries:
                name = address_names[entry.destination]
                if name not in defined:
                    defined.add(name)
                    lines.append(f"{book} address {name} {entry.destination}")
                lines.append(f"{book} address-set {address_set} address {name}")
            policy = (
                f"{prefix} security policies from-zone {FROM_ZONE} to-zone {TO_ZONE} "
                f"policy {context.group_name(group, f'v{family}')}"
            )
            sources = source_names[family] or ["any"]
            lines.extend(f"{policy} match source-address {name}" for name in sources)
            lines.append(f"{policy} match destination-address {address_set}")
            lines.append(f"{policy} match application {app_set}")
            lines.append(f"{policy} then permit")
    lines.append(f"set apply-groups {group_root}")
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
