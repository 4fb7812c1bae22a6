"""Read rendered files back into the (protocol, destination, first port, last port) tuples
they allow, one reader per format, so the completeness check can tell that each entry's
every port range reaches its destination, not only that the numbers appear somewhere."""

import csv
import io
import ipaddress
import json
import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from xml.etree import ElementTree as ET

import yaml

Allowed = set[tuple[str, str, int, int]]
# The C loader is much faster where PyYAML was built with libyaml; both are safe loaders.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=65536)
def _cidr(text: str) -> str:
    return ipaddress.ip_network(text.strip()).with_prefixlen


def _ranges(text: str, range_sep: str = "-") -> list[tuple[int, int]]:
    """Parse ``443,4000,3433-3460`` (or with ``:`` ranges) into pairs."""
    pairs = []
    for part in re.split(r"[,\s]+", text.strip(" {}")):
        if part:
            start, _, end = part.partition(range_sep)
            pairs.append((int(start), int(end or start)))
    return pairs


def _product(protocol: str, destinations, ranges) -> Allowed:
    return {(protocol, d, a, b) for d in destinations for a, b in ranges}


def read_json(content: str) -> Allowed:
    allowed = set()
    for entry in json.loads(content)["entries"]:
        pairs = [tuple(pair) for pair in entry["port_ranges"]]
        allowed |= _product(entry["protocol"], [_cidr(entry["destination"])], pairs)
    return allowed


def read_csv(content: str) -> Allowed:
    allowed = set()
    for row in csv.DictReader(io.StringIO(content)):
        if not row["protocol"]:
            continue  # A source network row.
        allowed |= _product(row["protocol"], [_cidr(row["destination"])], _ranges(row["ports"]))
    return allowed


def read_txt(content: str) -> Allowed:
    allowed = set()
    for line in content.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 4 and not line.startswith("#") and fields[1] in ("TCP", "UDP"):
            protocol, destination, ports = fields[1].lower(), fields[2], fields[3]
            allowed |= _product(protocol, [_cidr(destination)], _ranges(ports))
    return allowed


_XTABLES = re.compile(
    r"^-A \S+ (?:-s \S+ )?-d (?P<dst>\S+) -p (?P<proto>tcp|udp) "
    r"(?:--dport (?P<port>\S+)|-m multiport --dports (?P<ports>\S+))",
    re.MULTILINE,
)


def read_xtables(content: str) -> Allowed:
    allowed = set()
    for match in _XTABLES.finditer(content):
        ranges = _ranges(match["port"] or match["ports"], range_sep=":")
        allowed |= _product(match["proto"], [_cidr(match["dst"])], ranges)
    return allowed


_NFT_ELEMENTS = re.compile(r"^add element \S+ \S+ \S+_dst[46] \{ (?P<items>[^}]*) \}", re.MULTILINE)
_NFT_RULE = re.compile(r"^add rule .* @(?P<set>\S+_dst[46]) ", re.MULTILINE)


def read_nftables(content: str) -> Allowed:
    """Return the elements of our destination sets that a rule references."""
    referenced = set(_NFT_RULE.findall(content))
    allowed = set()
    for line in content.splitlines():
        match = _NFT_ELEMENTS.match(line)
        if not match or line.split()[4] not in referenced:
            continue
        for item in match["items"].split(","):
            destination, protocol, ports = (part.strip() for part in item.split(" . "))
            allowed |= _product(protocol, [_cidr(destination)], _ranges(ports))
    return allowed


MATCHES = {"destination-address": "dst", "application": "apps"}


def read_srx(content: str) -> Allowed:
    addresses, address_sets = {}, defaultdict(list)
    applications, application_sets = {}, defaultdict(list)
    policies = defaultdict(lambda: {"dst": [], "apps": []})
    for line in content.splitlines():
        # Our objects live in a configuration group: read them as if set at the top.
        line = re.sub(r"^set groups \S+ ", "set ", line)
        words = line.split()
        if line.startswith("set security address-book global address "):
            addresses[words[5]] = _cidr(words[6])
        elif line.startswith("set security address-book global address-set "):
            address_sets[words[5]].append(words[7])
        elif line.startswith("set applications application "):
            applications[words[3]] = (words[5], _ranges(words[7]))
        elif line.startswith("set applications application-set "):
            application_sets[words[3]].append(words[5])
        elif line.startswith("set security policies ") and words[10] in MATCHES:
            policies[words[8]][MATCHES[words[10]]].append(words[11])
    allowed = set()
    for policy in policies.values():
        destinations = [
            addresses[name]
            for ref in policy["dst"]
            for name in address_sets.get(ref, [ref])
            if name in addresses
        ]
        for ref in policy["apps"]:
            for name in application_sets.get(ref, [ref]):
                protocol, ranges = applications[name]
                allowed |= _product(protocol, destinations, ranges)
    return allowed


def read_paloalto(content: str) -> Allowed:
    vsys = ET.fromstring(content.encode()).find("./devices/entry/vsys/entry")
    addresses = {e.get("name"): _cidr(e.findtext("ip-netmask")) for e in vsys.find("address")}
    groups = {
        e.get("name"): [m.text for m in e.findall("./static/member")]
        for e in vsys.find("address-group")
    }
    services = {}
    for entry in vsys.find("service"):
        protocol = entry.find("protocol")[0]
        services[entry.get("name")] = (protocol.tag, _ranges(protocol.findtext("port")))
    allowed = set()
    for rule in vsys.findall("./rulebase/security/rules/entry"):
        names = [
            name
            for ref in (m.text for m in rule.findall("./destination/member"))
            for name in groups.get(ref, [ref])
        ]
        destinations = [addresses[name] for name in names]
        for member in rule.findall("./service/member"):
            protocol, ranges = services[member.text]
            allowed |= _product(protocol, destinations, ranges)
    return allowed


def _asa_spec(words: list[str], i: int) -> tuple[str | None, int]:
    """Return the network an ASA address spec at ``words[i]`` names, and the next index."""
    if words[i] == "any":
        return None, i + 1
    if words[i] == "object-group":
        return None, i + 2
    if words[i] == "host":
        return _cidr(words[i + 1]), i + 2
    if "/" in words[i]:
        return _cidr(words[i]), i + 1
    return _cidr(f"{words[i]}/{words[i + 1]}"), i + 2


def read_ciscoasa(content: str) -> Allowed:
    allowed = set()
    for line in content.splitlines():
        words = line.split()
        if len(words) < 5 or words[2:4] != ["extended", "permit"]:
            continue
        _, i = _asa_spec(words, 5)
        destination, i = _asa_spec(words, i)
        if words[i] == "eq":
            ranges = [(int(words[i + 1]), int(words[i + 1]))]
        else:
            ranges = [(int(words[i + 1]), int(words[i + 2]))]
        allowed |= _product(words[4], [destination], ranges)
    return allowed


def _forti_sections(content: str) -> dict[str, dict[str, list[list[str]]]]:
    """Return section -> edit name -> its ``set`` lines as word lists."""
    sections: dict[str, dict[str, list]] = defaultdict(dict)
    section = name = None
    for line in content.splitlines():
        words = line.split()
        if words[:1] == ["config"]:
            section = " ".join(words[1:])
        elif words[:1] == ["edit"]:
            name = words[1].strip('"')
            sections[section][name] = []
        elif words[:1] == ["set"] and section and name:
            sections[section][name].append([w.strip('"') for w in words[1:]])
    return sections


def read_fortigate(content: str) -> Allowed:
    sections = _forti_sections(content)
    addresses = {}
    for section in ("firewall address", "firewall address6"):
        for name, settings in sections.get(section, {}).items():
            for words in settings:
                if words[0] == "subnet":
                    addresses[name] = _cidr(f"{words[1]}/{words[2]}")
                elif words[0] == "ip6":
                    addresses[name] = _cidr(words[1])
    groups = {
        name: settings[0][1:]
        for section in ("firewall addrgrp", "firewall addrgrp6")
        for name, settings in sections.get(section, {}).items()
    }
    services = {
        name: [(w[0].split("-")[0], _ranges(" ".join(w[1:]))) for w in settings]
        for name, settings in sections.get("firewall service custom", {}).items()
    }
    allowed = set()
    for settings in sections.get("firewall policy", {}).values():
        values = {words[0]: words[1:] for words in settings}
        refs = values.get("dstaddr", []) + values.get("dstaddr6", [])
        destinations = [addresses[n] for ref in refs for n in groups.get(ref, [ref])]
        for service in values.get("service", []):
            for protocol, ranges in services[service]:
                allowed |= _product(protocol, destinations, ranges)
    return allowed


_WINDOWS = re.compile(
    r"-Protocol (?P<proto>TCP|UDP) -RemoteAddress @\((?P<dst>[^)]*)\) "
    r"-RemotePort @\((?P<ports>[^)]*)\)"
)


def read_windows(content: str) -> Allowed:
    allowed = set()
    for match in _WINDOWS.finditer(content):
        destinations = [_cidr(d.strip(" '")) for d in match["dst"].split(",")]
        ranges = _ranges(match["ports"].replace("'", ""))
        allowed |= _product(match["proto"].lower(), destinations, ranges)
    return allowed


def read_k8s(content: str) -> Allowed:
    allowed = set()
    for rule in yaml.load(content, Loader=_Loader)["spec"]["egress"]:
        destinations = [_cidr(peer["ipBlock"]["cidr"]) for peer in rule["to"]]
        for port in rule["ports"]:
            pair = [(port["port"], port.get("endPort", port["port"]))]
            allowed |= _product(port["protocol"].lower(), destinations, pair)
    return allowed


_GCE = re.compile(r"--rules=(?P<rules>\S+) --destination-ranges=(?P<dst>\S+)")


def read_gce(content: str) -> Allowed:
    allowed = set()
    for match in _GCE.finditer(content):
        destinations = [_cidr(d) for d in match["dst"].split(",")]
        for rule in match["rules"].split(","):
            protocol, _, ports = rule.partition(":")
            allowed |= _product(protocol, destinations, _ranges(ports))
    return allowed


def read_aws(content: str) -> Allowed:
    document = json.loads(content)
    lists = {
        item["CreateManagedPrefixList"]["PrefixListName"]: [
            _cidr(e["Cidr"]) for e in item["CreateManagedPrefixList"]["Entries"]
        ]
        for item in document["PrefixLists"]
    }
    allowed = set()
    for permission in document["IpPermissions"]:
        destinations = [_cidr(r["CidrIp"]) for r in permission.get("IpRanges", [])]
        destinations += [_cidr(r["CidrIpv6"]) for r in permission.get("Ipv6Ranges", [])]
        for reference in permission.get("PrefixListIds", []):
            destinations += lists[reference["PrefixListId"]]
        pair = [(permission["FromPort"], permission["ToPort"])]
        allowed |= _product(permission["IpProtocol"], destinations, pair)
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
