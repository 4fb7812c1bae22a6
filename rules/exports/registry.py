"""The registry of firewall export formats."""

from rules.exceptions import UnknownFormat
from rules.exports import cisco_forti, cloud, hosts, juniper, linux, paloalto, plain
from rules.exports.base import Format

BOTH = (4, 6)

_FORMATS = (
    Format("json", "JSON", "json", "application/json", BOTH, plain.render_json,
           "Every entry with its id, ports and purpose, and the rule set's metadata."),
    Format("csv", "CSV", "csv", "text/csv", BOTH, plain.render_csv,
           "One row per entry, for spreadsheets and scripts."),
    Format("txt", "Plain text", "txt", "text/plain", BOTH, plain.render_txt,
           "A readable table of every entry."),
    Format("iptables", "iptables (IPv4)", "rules", "text/plain", (4,), linux.render_iptables,
           "iptables-restore input; IPv6 entries are listed in the header, see ip6tables."),
    Format("ip6tables", "ip6tables (IPv6)", "rules", "text/plain", (6,),
           linux.render_ip6tables,
           "ip6tables-restore input; IPv4 entries are listed in the header, see iptables."),
    Format("nftables", "nftables", "nft", "text/plain", BOTH, linux.render_nftables,
           "nft -f input: a chain in the inet filter table, IPv4 and IPv6."),
    Format("srx", "Juniper SRX", "conf", "text/plain", BOTH, juniper.render_srx,
           "Junos set commands: address book, applications, security policies."),
    Format("paloalto", "Palo Alto PAN-OS", "xml", "application/xml", BOTH,
           paloalto.render_paloalto, "PAN-OS configuration fragment for load config partial."),
    Format("ciscoasa", "Cisco ASA", "txt", "text/plain", BOTH, cisco_forti.render_ciscoasa,
           "Extended access list (ASA 9.0+ unified IPv4/IPv6 ACL)."),
    Format("fortigate", "FortiGate", "conf", "text/plain", BOTH, cisco_forti.render_fortigate,
           "FortiOS CLI: addresses, groups, services and policies."),
    Format("windows", "Windows Defender Firewall", "ps1", "text/plain", BOTH,
           hosts.render_windows, "PowerShell New-NetFirewallRule outbound allow rules."),
    Format("k8s", "Kubernetes NetworkPolicy", "yaml", "application/yaml", BOTH,
           hosts.render_k8s, "Egress NetworkPolicy with ipBlock peers.", applies_sources=False),
    Format("gce", "Google Cloud firewall", "sh", "text/x-shellscript", BOTH, cloud.render_gce,
           "gcloud compute firewall-rules create commands (egress).", applies_sources=False),
    Format("aws", "AWS security group", "json", "application/json", BOTH, cloud.render_aws,
           "Managed prefix lists and the egress rules that reference them.",
           applies_sources=False),
)  # fmt: skip

FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in _FORMATS}


def format_get(name: str) -> Format:
    """Return the format called ``name``, or raise UnknownFormat naming the known ones."""
    try:
        return FORMATS[name]
    except (KeyError, TypeError):
        raise UnknownFormat(
            {"format": f"Unknown format {name!r}; choose one of: {', '.join(FORMATS)}."}
        ) from None
