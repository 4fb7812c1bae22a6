"""Host and orchestrator formats: Windows Defender Firewall (PowerShell) and Kubernetes."""

from rules.constants import WINDOWS_ADDRESSES_PER_RULE
from rules.document import ports_text
from rules.exports.base import ENVIRONMENT_TAGS, RenderContext, comment_block


def _ps_list(values) -> str:
    # Single-quoted PowerShell strings; every value is an address, a port or an id.
    return "@(" + ", ".join(f"'{value}'" for value in values) + ")"


def render_windows(context: RenderContext) -> str:
    """Render PowerShell that replaces the app's outbound allow rules."""
    rule_group = context.app_tag
    notes = ("Run in an elevated PowerShell; re-running replaces the rules of this group",)
    lines = [
        f"$group = '{rule_group}'",
        "Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule",
    ]
    for group in context.groups:
        ports = ports_text(group.ports).split(",")
        for family in (4, 6):
            sources = context.sources_of_family(family)
            local = f" -LocalAddress {_ps_list(sources)}" if sources else ""
            entries = group.of_family(family)
            for index, start in enumerate(range(0, len(entries), WINDOWS_ADDRESSES_PER_RULE), 1):
                chunk = entries[start : start + WINDOWS_ADDRESSES_PER_RULE]
                name = context.group_name(group, f"v{family}", index)
                environment = ENVIRONMENT_TAGS.get(group.environment, "env")
                lines.append(
                    f"New-NetFirewallRule -Name '{name}' "
                    f"-DisplayName '{rule_group} {environment} {group.protocol} {group.purpose} "
                    f"{group.id}-v{family}-{index}' -Group $group -Direction Outbound "
                    f"-Action Allow -Protocol {group.protocol.upper()} "
                    f"-RemoteAddress {_ps_list(e.destination for e in chunk)} "
                    f"-RemotePort {_ps_list(ports)}{local} | Out-Null"
                )
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"


def render_k8s(context: RenderContext) -> str:
    """Render an egress NetworkPolicy (endPort needs Kubernetes 1.25 or later).

    Written line by line: every value is an id, a CIDR, a number or a fixed word, none of
    which YAML needs to quote, and this is many times faster than a YAML dumper.
    """
    document = context.document
    label = f"proxy-provisioning/{context.app_tag}"
    notes = (
        "Apply with: kubectl apply -n <namespace> -f this-file",
        f"Selects the pods labelled {label}=enabled: egress isolation then drops their",
        "traffic that no policy allows, so label only the pods that run the SDK",
        "Source networks do not apply to pod egress",
        "DNS: this policy allows no DNS; if the pods resolve names, apply next to it a policy",
        "selecting the same pods with: egress: [{to: [{namespaceSelector: {matchLabels:",
        "{kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app:",
        "kube-dns}}}], ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}]",
    )
    lines = [
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata:",
        f"  name: {context.app_tag}-egress",
        "  labels:",
        "    app.kubernetes.io/managed-by: proxy-provisioning",
        "  annotations:",
        f"    proxy-provisioning/app-id: '{document.app_id}'",
        f"    proxy-provisioning/version: '{document.version}'",
        f"    proxy-provisioning/sha256: '{document.sha256}'",
        "spec:",
        "  podSelector:",
        "    matchLabels:",
        f"      {label}: enabled",
        "  policyTypes:",
        "  - Egress",
        "  egress:" if context.groups else "  egress: []",
    ]
    for group in context.groups:
        lines.append("  - to:")
        lines.extend(
            f"    - ipBlock:\n        cidr: {entry.destination}" for entry in group.entries
        )
        lines.append("    ports:")
        for start, end in group.ports:
            lines.append(f"    - protocol: {group.protocol.upper()}\n      port: {start}")
            if end != start:
                lines.append(f"      endPort: {end}")
    return comment_block(context.header_lines(notes)) + "\n".join(lines) + "\n"
