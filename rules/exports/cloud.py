"""Cloud formats: Google Cloud (gcloud firewall rules) and AWS security-group egress."""

import json

from rules.constants import GCE_RANGES_PER_RULE
from rules.document import ports_text
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block


def render_gce(context: RenderContext) -> str:
    """Render a bash script of ``gcloud compute firewall-rules create`` commands; each
    rule carries one address family and at most GCE_RANGES_PER_RULE ranges. Rule names
    carry the version: the script creates this version's rules first, then deletes our
    rules of other versions, so there is no moment without them."""
    suffix = context.document.version
    notes = (
        "Run with: NETWORK=<vpc network> bash this-file (default network: default)",
        "Egress rules apply to every instance; add --target-tags to narrow them",
        f"It creates this version's rules, then deletes our rules (names {context.app_tag}-*)",
        "of other versions; re-running it is safe",
    )
    lines = ["set -euo pipefail", 'NETWORK="${NETWORK:-default}"', "KEEP=("]
    commands = []
    for group in context.groups:
        rules = ",".join(f"{group.protocol}:{p}" for p in ports_text(group.ports).split(","))
        for family in (4, 6):
            entries = group.of_family(family)
            for index, start in enumerate(range(0, len(entries), GCE_RANGES_PER_RULE), 1):
                chunk = entries[start : start + GCE_RANGES_PER_RULE]
                name = context.group_name(group, f"v{family}", index, suffix)
                description = (
                    f"{context.app_tag} {ENVIRONMENT_TAGS.get(group.environment, 'env')} "
                    f"{group.purpose} {group.id} v{context.document.version}"
                )
                lines.append(f"  {name}")
                commands.append(
                    f"gcloud compute firewall-rules describe {name} >/dev/null 2>&1 || "
                    f"gcloud compute firewall-rules create {name} "
                    f'--network="$NETWORK" --direction=EGRESS --action=ALLOW --priority=1000 '
                    f"--rules={rules} "
                    f"--destination-ranges={','.join(e.destination for e in chunk)} "
                    f"--description='{description}'"
                )
    lines.append(")")
    lines.extend(commands)
    lines.extend([
        f'gcloud compute firewall-rules list --filter="name~^{context.app_tag}-" '
        '--format="value(name)" | while read -r name; do',
        '  case " ${KEEP[*]} " in *" $name "*) ;; '
        '*) gcloud compute firewall-rules delete "$name" --quiet ;; esac',
        "done",
    ])  # fmt: skip
    return "#!/bin/bash\n" + comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"


def render_aws(context: RenderContext) -> str:
    """Render the ``IpPermissions`` list for ``aws ec2 authorize-security-group-egress
    --ip-permissions file://...``: one permission per protocol and port range."""
    permissions: dict[tuple, dict] = {}
    seen: set[tuple] = set()
    for entry in context.entries:
        environment = ENVIRONMENT_TAGS.get(entry.environment, "env")
        description = f"{context.app_tag} {environment} {entry.purpose} {entry.id}"
        key, ranges = ("CidrIp", "IpRanges") if entry.family == 4 else ("CidrIpv6", "Ipv6Ranges")
        for start, end in entry.ports:
            permission = permissions.setdefault(
                (entry.protocol, start, end),
                {
                    "IpProtocol": entry.protocol,
                    "FromPort": start,
                    "ToPort": end,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                },
            )
            # A security group refuses the same CIDR twice in one permission.
            if (entry.protocol, start, end, entry.destination) not in seen:
                seen.add((entry.protocol, start, end, entry.destination))
                permission[ranges].append({key: entry.destination, "Description": description})
    ordered = [permissions[key] for key in sorted(permissions)]
    return "[\n" + ",\n".join(_permission_json(p) for p in ordered) + "\n]\n"


def _permission_json(permission: dict) -> str:
    """Return one permission as JSON with one address range per line (json.dumps with
    indent is several times slower on thousands of ranges)."""

    def ranges(key: str) -> str:
        items = permission[key]
        if not items:
            return "[]"
        return "[\n" + ",\n".join(f"      {json.dumps(item)}" for item in items) + "\n    ]"

    return (
        f'  {{\n    "IpProtocol": {json.dumps(permission["IpProtocol"])},\n'
        f'    "FromPort": {permission["FromPort"]},\n'
        f'    "ToPort": {permission["ToPort"]},\n'
        f'    "IpRanges": {ranges("IpRanges")},\n'
        f'    "Ipv6Ranges": {ranges("Ipv6Ranges")}\n  }}'
    )
