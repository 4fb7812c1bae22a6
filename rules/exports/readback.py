"""Read rendered files back into what they allow: (protocol, destination, first port,
last port, sources) tuples, one reader per format, so the completeness check can tell
that each entry's every port range reaches its destination from exactly its family's
source networks, and that nothing else is allowed.

Sources are a frozenset of networks; the empty set means any source. Networks are kept as
the file writes them (vendor notations such as ``address netmask`` are turned into CIDR
text, nothing is re-canonicalized): a network written in any form other than the rule
set's canonical one does not match it, and the check refuses the file.
"""

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

import yaml

from rules.exports.readback_vendors import (
    ANY,
    Allowed,
    allow,
    allowances,
    read_ciscoasa,
    read_fortigate,
    read_paloalto,
    read_srx,
    source_set,
    sources_by_family,
)

# The C loader is much faster where PyYAML was built with libyaml; both are safe loaders.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4096)
def port_ranges(text: str, range_sep: str = "-") -> tuple[tuple[int, int], ...]:
    """Parse ``443,4000,3433-3460`` (or with ``:`` ranges) into pairs."""
    pairs = []
    for part in re.split(r"[,\s]+", text.strip(" {}")):
        if part:
            start, _, end = part.partition(range_sep)
            pairs.append((int(start), int(end or start)))
    return tuple(pairs)


def read_json(content: str) -> Allowed:
    document = json.loads(content)
    sources = sources_by_family(document["source_networks"])
    allowed = allowances()
    for entry in document["entries"]:
        protocol, destination = entry["protocol"], entry["destination"]
        family_sources = sources[6 if ":" in destination else 4]
        for first, last in entry["port_ranges"]:
            allowed[(protocol, first, last, family_sources)].add(destination)
    return allowed


def read_csv(content: str) -> Allowed:
    """Read entry rows; a row's ``source`` is ``any`` or the id of the source rows."""
    rows = csv.reader(content.splitlines())
    columns = next(rows)
    id_at, protocol_at, destination_at, ports_at, source_at = (
        columns.index(name) for name in ("id", "protocol", "destination", "ports", "source")
    )
    # Entry rows by (protocol, ports, source): each group's port ranges are read once.
    by_rule, source_rows = defaultdict(list), defaultdict(set)
    for row in rows:
        if row[protocol_at]:
            by_rule[(row[protocol_at], row[ports_at], row[source_at])].append(row[destination_at])
        else:
            source_rows[row[id_at]].add(row[source_at])
    source_sets = {name: source_set(networks) for name, networks in source_rows.items()}
    source_sets["any"] = ANY
    allowed = allowances()
    for (protocol, ports, source), destinations in by_rule.items():
        allow(allowed, protocol, destinations, port_ranges(ports), source_sets[source])
    return allowed


# Line patterns start with the newline before the line (the text is read with one put in
# front): a literal start lets the regex engine skip to candidates instead of trying every
# position, several times faster on files of megabytes.
_TXT_SOURCES = re.compile(r"\n# IPv([46]) (?:source: (.*)|rules have any source.*)(?![^\n])")


def header_sources(content: str) -> dict[int, frozenset[str]]:
    """Return the sources per family that a file's header says its rules have."""
    sources = {}
    for family, listed in _TXT_SOURCES.findall("\n" + content):
        names = listed.split(", ") if listed and listed != "any" else ()
        sources[int(family)] = source_set(names)
    return sources


def read_txt(content: str) -> Allowed:
    """Read the table; its rows take the sources the header states for their family."""
    sources = header_sources(content)
    by_rule = defaultdict(list)  # (protocol, ports, family) -> destinations
    for line in content.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 4 and not line.startswith("#") and fields[1] in ("TCP", "UDP"):
            destination = fields[2]
            by_rule[(fields[1], fields[3], 6 if ":" in destination else 4)].append(destination)
    allowed = allowances()
    for (protocol, ports, family), destinations in by_rule.items():
        allow(allowed, protocol.lower(), destinations, port_ranges(ports), sources[family])
    return allowed


_XTABLES_JUMP = re.compile(r"\n-A (\S+) (?:-s (\S+) )?-j (\S+)(?![^\n])")
_XTABLES = re.compile(
    r"\n-A (?P<chain>\S+) (?P<src>-s \S+ )?-d (?P<dst>\S+) -p (?P<proto>tcp|udp) "
    r"(?:--dport (?P<port>\S+)|-m multiport --dports (?P<ports>\S+))"
)


def read_xtables(content: str) -> Allowed:
    """Read the rules of each chain with the sources its jumps carry (none: any)."""
    jumps = defaultdict(set)
    content = "\n" + content
    for _, source, target in _XTABLES_JUMP.findall(content):
        jumps[target].add(source)
    sources = {chain: ANY if "" in found else source_set(found) for chain, found in jumps.items()}
    by_rule = defaultdict(list)  # (chain, protocol, ports) -> destinations
    # findall's tuples, in the pattern's group order, unpack much faster than matches.
    for chain, source, destination, protocol, port, ports in _XTABLES.findall(content):
        if source:
            raise ValueError(f"a rule in {chain} names its own source")
        by_rule[(chain, protocol, port or ports)].append(destination)
    allowed = allowances()
    for (chain, protocol, ports), destinations in by_rule.items():
        if chain in sources:  # No jump reaches any other: it allows nothing.
            allow(allowed, protocol, destinations, port_ranges(ports, ":"), sources[chain])
    return allowed


_NFT_ELEMENTS = re.compile(r"\nadd element \S+ \S+ (\S+) \{ ([^}]*) \}(?![^\n])")
_NFT_RULE = re.compile(
    r"\nadd rule \S+ \S+ \S+ (?:ip6? saddr @(\S+) )?ip6? daddr \. meta l4proto \. th dport "
    r"@(\S+) "
)


def read_nftables(content: str) -> Allowed:
    """Return the elements of the destination sets our rules reference, from the
    elements of the source set each rule names (none: any source)."""
    content = "\n" + content
    elements = defaultdict(list)
    for name, items in _NFT_ELEMENTS.findall(content):
        elements[name].extend(items.split(", "))
    allowed = allowances()
    for source_name, destination_set in _NFT_RULE.findall(content):
        sources = source_set(elements[source_name]) if source_name else ANY
        by_ports = defaultdict(list)  # (protocol, ports) -> destinations
        for item in elements[destination_set]:
            destination, protocol, ports = item.split(" . ")
            by_ports[(protocol, ports)].append(destination)
        for (protocol, ports), destinations in by_ports.items():
            allow(allowed, protocol, destinations, port_ranges(ports), sources)
    return allowed


_WINDOWS = re.compile(
    r"-Protocol (?P<proto>TCP|UDP) -RemoteAddress @\((?P<dst>[^)]*)\) "
    r"-RemotePort @\((?P<ports>[^)]*)\)(?: -LocalAddress @\((?P<src>[^)]*)\))?"
)


def _ps_items(text: str) -> list[str]:
    return [item.strip(" '") for item in text.split(",")]


def read_windows(content: str) -> Allowed:
    allowed = allowances()
    for match in _WINDOWS.finditer(content):
        sources = source_set(_ps_items(match["src"])) if match["src"] else ANY
        ranges = port_ranges(match["ports"].replace("'", ""))
        protocol = match["proto"].lower()
        allow(allowed, protocol, _ps_items(match["dst"]), ranges, sources)
    return allowed


_K8S_LINES = re.compile(
    r"  - (?P<rule>to:)|    - (?P<peer>ipBlock:)|        cidr: (?P<cidr>[0-9a-f.:/]+)"
    r"|    (?P<ports>ports:)|    - protocol: (?P<proto>TCP|UDP)|      port: (?P<port>\d+)"
    r"|      endPort: (?P<end>\d+)"
)


def read_k8s(content: str) -> Allowed:
    """Read the policy: its head as YAML, its egress rules line by line in the one shape
    they are written in; any other line makes the file unreadable."""
    head, marker, egress = content.partition("\n  egress:")
    spec = yaml.load(head + marker + " []", Loader=_Loader)["spec"]
    if spec["policyTypes"] != ["Egress"] or not marker:
        raise ValueError("the policy is not an egress policy")
    rules: list[dict] = []
    first_line, *lines = egress.split("\n")
    if first_line not in ("", " []") or (first_line and any(lines)):
        raise ValueError("unexpected text after egress")
    for line in lines:
        match = _K8S_LINES.fullmatch(line)
        if match is None:
            if line:
                raise ValueError(f"unexpected line in the egress rules: {line[:80]!r}")
            continue
        # Each alternative of the pattern has one group: the one that matched names it.
        kind = match.lastgroup
        if kind == "cidr":
            rules[-1]["to"].append(match["cidr"])
        elif kind == "rule":
            rules.append({"to": [], "ports": []})
        elif kind == "proto":
            rules[-1]["ports"].append([match["proto"].lower(), None, None])
        elif kind in ("port", "end"):
            rules[-1]["ports"][-1][1 if kind == "port" else 2] = int(match[kind])
    allowed = allowances()
    for rule in rules:
        for protocol, first, last in rule["ports"]:
            allow(allowed, protocol, rule["to"], [(first, last or first)], ANY)
    return allowed


_GCE = re.compile(r"--rules=(?P<rules>\S+) --destination-ranges=(?P<dst>\S+)")


def read_gce(content: str) -> Allowed:
    allowed = allowances()
    for match in _GCE.finditer(content):
        destinations = match["dst"].split(",")
        for rule in match["rules"].split(","):
            protocol, _, ports = rule.partition(":")
            allow(allowed, protocol, destinations, port_ranges(ports), ANY)
    return allowed


def read_aws(content: str) -> Allowed:
    document = json.loads(content)
    lists = {
        item["CreateManagedPrefixList"]["PrefixListName"]: [
            e["Cidr"] for e in item["CreateManagedPrefixList"]["Entries"]
        ]
        for item in document["PrefixLists"]
    }
    allowed = allowances()
    for permission in document["IpPermissions"]:
        destinations = [r["CidrIp"] for r in permission.get("IpRanges", [])]
        destinations += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
        for reference in permission.get("PrefixListIds", []):
            destinations += lists[reference["PrefixListId"]]
        protocol, first, last = (permission[k] for k in ("IpProtocol", "FromPort", "ToPort"))
        allow(allowed, protocol, destinations, [(first, last)], ANY)
    return allowed


READERS: dict[str, Callable[[str], Allowed]] = {
    "json": read_json,
    "csv": read_csv,
    "txt": read_txt,
    "iptables": read_xtables,
    "ip6tables": read_xtables,
    "nftables": read_nftables,
    "srx": read_srx,
    "paloalto": read_paloalto,
    "ciscoasa": read_ciscoasa,
    "fortigate": read_fortigate,
    "windows": read_windows,
    "k8s": read_k8s,
    "gce": read_gce,
    "aws": read_aws,
}
