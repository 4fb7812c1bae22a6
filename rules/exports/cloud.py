"""Cloud formats: Google Cloud (gcloud firewall rules) and AWS security-group egress."""

import json
from json.encoder import encode_basestring_ascii as json_string

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


# Security groups count a referenced prefix list as its MaxEntries rules, per family,
# against a default quota of 60 inbound and 60 outbound rules per group (EC2 quotas:
# "Inbound or outbound rules per security group").
AWS_DEFAULT_RULE_QUOTA = 60


def aws_prefix_lists(context: RenderContext) -> list[dict]:
    """Return one CreateManagedPrefixList request per group and family, named by the
    group (so the same ports always map to the same list)."""
    lists = []
    for group in context.groups:
        for family in (4, 6):
            entries = group.of_family(family)
            if not entries:
                continue
            environment = ENVIRONMENT_TAGS.get(group.environment, "env")
            lists.append({
                "CreateManagedPrefixList": {
                    "PrefixListName": context.group_name(group, f"v{family}"),
                    "AddressFamily": "IPv4" if family == 4 else "IPv6",
                    "MaxEntries": len(entries),
                    "Entries": [
                        {"Cidr": e.destination, "Description": f"{environment} {e.id}"}
                        for e in entries
                    ],
                },
                "Protocol": group.protocol,
                "PortRanges": [list(pair) for pair in group.ports],
            })  # fmt: skip
    return lists


def aws_permissions(prefix_lists: list[dict]) -> list[dict]:
    """Return the egress IpPermissions: one per prefix list, protocol and port range; the
    PrefixListId is the list's name, to be replaced by its id (pl-...) when applied."""
    permissions = []
    for prefix_list in prefix_lists:
        protocol, name = (
            prefix_list["Protocol"],
            prefix_list["CreateManagedPrefixList"]["PrefixListName"],
        )
        for start, end in prefix_list["PortRanges"]:
            permissions.append({
                "IpProtocol": protocol,
                "FromPort": start,
                "ToPort": end,
                "PrefixListIds": [{
                    "PrefixListId": name,
                    "Description": name,
                }],
            })  # fmt: skip
    return permissions


def render_aws(context: RenderContext) -> str:
    """Render the EC2 requests that hold our egress rules: managed prefix lists of our
    destinations (one per group and family) and one security-group rule per prefix list
    and port range, with how to apply them exactly and what they count against the quota."""
    prefix_lists = aws_prefix_lists(context)
    permissions = aws_permissions(prefix_lists)
    counted = {
        family: sum(
            p["CreateManagedPrefixList"]["MaxEntries"] * len(p["PortRanges"])
            for p in prefix_lists
            if p["CreateManagedPrefixList"]["AddressFamily"] == f"IPv{family}"
        )
        for family in (4, 6)
    }
    apply = [
        "For each PrefixLists item: if no managed prefix list of its PrefixListName exists,",
        "CreateManagedPrefixList with its request; else ModifyManagedPrefixList with its",
        "CurrentVersion,",
        "MaxEntries, AddEntries (Cidrs it lacks) and RemoveEntries (Cidrs not listed here).",
        "Then in the security group: AuthorizeSecurityGroupEgress each IpPermissions item",
        "missing (PrefixListId = the id of the list named there), and RevokeSecurityGroupEgress",
        f"rules referencing lists named {context.app_tag}-* that are not listed here.",
        "Applying twice changes nothing. Rules counted against the security group quota: "
        f"IPv4 {counted[4]}, IPv6 {counted[6]} (default quota {AWS_DEFAULT_RULE_QUOTA} per "
        "family and direction; ask for an increase before applying if over it).",
    ]
    document = {
        "Comment": [*context.header_lines(), *apply],
        "RulesCounted": {"IPv4": counted[4], "IPv6": counted[6]},
        "DefaultRuleQuota": AWS_DEFAULT_RULE_QUOTA,
        "PrefixLists": prefix_lists,
        "IpPermissions": permissions,
    }
    return _json_indented(document) + "\n"


# Where each prefix list's Entries stand in the document: their items' indentation.
_ENTRIES_INDENT = 5
_PLACEHOLDER = "@@prefix-list-entries-{}@@"


def _json_indented(document: dict) -> str:
    """Return ``json.dumps(document, indent=1)``. The prefix lists' entries, thousands of
    small objects the pure-Python indenting encoder is slow on, are written by hand in
    the same layout, every string through JSON's own escaping."""
    lists = document["PrefixLists"]
    shallow = [
        {**item, "CreateManagedPrefixList": {
            **item["CreateManagedPrefixList"], "Entries": _PLACEHOLDER.format(index)}}
        for index, item in enumerate(lists)
    ]  # fmt: skip
    text = json.dumps({**document, "PrefixLists": shallow}, indent=1)
    outer, inner = " " * _ENTRIES_INDENT, " " * (_ENTRIES_INDENT + 1)
    for index, item in enumerate(lists):
        items = ",\n".join(
            f'{outer}{{\n{inner}"Cidr": {json_string(entry["Cidr"])},\n'
            f'{inner}"Description": {json_string(entry["Description"])}\n{outer}}}'
            for entry in item["CreateManagedPrefixList"]["Entries"]
        )
        written = f"[\n{items}\n{' ' * (_ENTRIES_INDENT - 1)}]" if items else "[]"
        text = text.replace(json_string(_PLACEHOLDER.format(index)), written, 1)
    return text
