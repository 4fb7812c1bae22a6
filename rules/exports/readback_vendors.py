"""Readers of the firewall vendors' object models (Junos, PAN-OS, ASA, FortiOS): named
addresses, groups and services resolved into what each policy allows, from which sources.
"""

import ipaddress
import re
from collections import defaultdict
from functools import lru_cache
from xml.etree import ElementTree as ET

# What a file allows: (protocol, first port, last port, sources) -> destinations.
Allowed = dict[tuple[str, int, int, frozenset[str]], set[str]]
ANY: frozenset[str] = frozenset()
# "255.255.255.0" -> 24: IPv4 masks as Cisco and FortiOS write them.
MASK_BITS = {str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").netmask): bits for bits in range(33)}


@lru_cache(maxsize=64)
def _interned(sources: frozenset[str]) -> frozenset[str]:
    return sources


def source_set(networks) -> frozenset[str]:
    """Return ``networks`` as a frozenset, the same object for equal sets: allowances
    are compared by the hundred thousand, and equal objects compare at once."""
    return _interned(frozenset(networks))


def sources_by_family(networks) -> dict[int, frozenset[str]]:
    """Return ``networks`` split by family (IPv6 text holds a colon); empty is any."""
    return {
        4: source_set(n for n in networks if ":" not in n),
        6: source_set(n for n in networks if ":" in n),
    }


def masked(address: str, mask: str) -> str:
    """Return ``address mask`` as CIDR text; a mask that is no prefix raises KeyError."""
    return f"{address}/{MASK_BITS[mask]}"


def host(address: str) -> str:
    return f"{address}/128" if ":" in address else f"{address}/32"


def allowances() -> Allowed:
    return defaultdict(set)


def allow(allowed: Allowed, protocol: str, destinations, ranges, sources) -> None:
    """Note that ``destinations`` are allowed on each port range of ``ranges``."""
    for first, last in ranges:
        allowed[(protocol, first, last, sources)].update(destinations)


def flattened(allowed: Allowed) -> set[tuple[str, str, int, int, frozenset[str]]]:
    """Return ``allowed`` as (protocol, destination, first, last, sources) tuples."""
    return {
        (protocol, destination, first, last, sources)
        for (protocol, first, last, sources), destinations in allowed.items()
        for destination in destinations
    }


def _ranges(text: str) -> list[tuple[int, int]]:
    pairs = []
    for part in text.replace(",", " ").split():
        start, _, end = part.partition("-")
        pairs.append((int(start), int(end or start)))
    return pairs


def _resolved(refs, groups: dict, objects: dict, any_word: str) -> frozenset[str]:
    """Return the networks that ``refs`` (names of objects or groups) stand for; the
    vendor's word for any source makes the whole set any (empty)."""
    if any_word in refs:
        return ANY
    return source_set(objects[name] for ref in refs for name in groups.get(ref, [ref]))


_SRX_MATCHES = (
    ["match", "source-address"],
    ["match", "destination-address"],
    ["match", "application"],
)


def _srx_objects(content: str):
    addresses, address_sets = {}, defaultdict(list)
    applications, application_sets = {}, defaultdict(list)
    policies = defaultdict(lambda: {match: [] for _, match in _SRX_MATCHES})
    for line in content.splitlines():
        words = line.split()
        # Our objects live in a configuration group: read them as if set at the top, the
        # words after "set groups <name>" shifted by two.
        o = 2 if words[:2] == ["set", "groups"] else 0
        if len(words) - o < 6 or words[0] != "set":
            continue
        kind, what = words[1 + o], words[2 + o]
        if kind == "security" and what == "address-book" and words[3 + o] == "global":
            if words[4 + o] == "address":
                addresses[words[5 + o]] = words[6 + o]
            elif words[4 + o] == "address-set":
                address_sets[words[5 + o]].append(words[7 + o])
        elif kind == "applications" and what == "application":
            applications[words[3 + o]] = (words[5 + o], _ranges(words[7 + o]))
        elif kind == "applications" and what == "application-set":
            application_sets[words[3 + o]].append(words[5 + o])
        elif kind == "security" and what == "policies" and words[9 + o : 11 + o] in _SRX_MATCHES:
            policies[words[8 + o]][words[10 + o]].append(words[11 + o])
    return addresses, address_sets, applications, application_sets, policies


def read_srx(content: str) -> Allowed:
    addresses, address_sets, applications, application_sets, policies = _srx_objects(content)
    allowed = allowances()
    for policy in policies.values():
        sources = _resolved(policy["source-address"], address_sets, addresses, "any")
        destinations = [
            addresses[name]
            for ref in policy["destination-address"]
            for name in address_sets.get(ref, [ref])
        ]
        for ref in policy["application"]:
            for name in application_sets.get(ref, [ref]):
                protocol, ranges = applications[name]
                allow(allowed, protocol, destinations, ranges, sources)
    return allowed


def read_paloalto(content: str) -> Allowed:
    vsys = ET.fromstring(content.encode()).find("./devices/entry/vsys/entry")
    addresses = {e.get("name"): e.findtext("ip-netmask") for e in vsys.find("address")}
    groups = {
        e.get("name"): [m.text for m in e.findall("./static/member")]
        for e in vsys.find("address-group")
    }
    services = {}
    for entry in vsys.find("service"):
        protocol = entry.find("protocol")[0]
        services[entry.get("name")] = (protocol.tag, _ranges(protocol.findtext("port")))
    allowed = allowances()
    for rule in vsys.findall("./rulebase/security/rules/entry"):
        sources = _resolved(
            [m.text for m in rule.findall("./source/member")], groups, addresses, "any"
        )
        destinations = [
            addresses[name]
            for ref in (m.text for m in rule.findall("./destination/member"))
            for name in groups.get(ref, [ref])
        ]
        for member in rule.findall("./service/member"):
            protocol, ranges = services[member.text]
            allow(allowed, protocol, destinations, ranges, sources)
    return allowed


_ASA_SPEC = r"any|object-group \S+|host \S+|[0-9a-fA-F:.]+/\d+|[\d.]+ [\d.]+"
_ASA_ENTRY = re.compile(
    rf"\naccess-list \S+ extended permit (\S+) ({_ASA_SPEC}) ({_ASA_SPEC}) "
    r"(?:eq (\d+)|range (\d+) (\d+))(?![^\n])"
)
_ASA_ANY_ENTRY = re.compile(r"\naccess-list \S+ extended ")


def _asa_networks(spec: str, groups: dict) -> frozenset[str]:
    """Return the networks an ASA address spec names (empty: any)."""
    words = spec.split()
    if words[0] == "any":
        return ANY
    if words[0] == "object-group":
        return groups[words[1]]
    return source_set((_asa_network(words),))


def _asa_network(words: list[str]) -> str:
    if words[0] == "host":
        return host(words[1])
    return words[0] if "/" in words[0] else masked(words[0], words[1])


def _asa_groups(lines: list[str]) -> dict[str, frozenset[str]]:
    """Return our network object groups by name."""
    groups: dict[str, list[str]] = {}
    group = None
    for line in lines:
        if line.startswith(" network-object ") and group is not None:
            groups[group].append(_asa_network(line.split()[1:]))
            continue
        group = None
        if line.startswith("object-group network "):
            group = line.split()[2]
            groups[group] = []
    return {name: source_set(networks) for name, networks in groups.items()}


def read_ciscoasa(content: str) -> Allowed:
    """Read the access-list entries, their sources resolved through our object groups;
    an entry in any other shape makes the file unreadable."""
    groups = _asa_groups([line for line in content.splitlines() if "network" in line])
    content = "\n" + content
    entries = _ASA_ENTRY.findall(content)
    if len(entries) != len(_ASA_ANY_ENTRY.findall(content)):
        raise ValueError("an access-list entry is not in the shape this reader knows")
    by_rule = defaultdict(list)
    for protocol, source, destination, port, first, last in entries:
        by_rule[(protocol, source, port, first, last)].append(destination)
    specs: dict[str, frozenset[str]] = {}
    single: dict[str, str] = {}
    allowed = allowances()
    for (protocol, source, port, first, last), destinations in by_rule.items():
        if source not in specs:
            specs[source] = _asa_networks(source, groups)
        for spec in destinations:
            if spec not in single:
                single[spec] = _asa_destination(spec, groups)
        ports = (int(port), int(port)) if port else (int(first), int(last))
        allowed[(protocol, *ports, specs[source])].update(single[spec] for spec in destinations)
    return allowed


def _asa_destination(spec: str, groups: dict) -> str:
    """Return the one network a destination spec names; raise ValueError for any other
    number of networks (any, or a group of several)."""
    words = spec.split()
    if words[0] not in ("any", "object-group"):
        return _asa_network(words)
    networks = _asa_networks(spec, groups)
    if len(networks) != 1:
        raise ValueError("an entry has no single destination")
    return next(iter(networks))


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


def _forti_addresses(sections) -> dict[str, str]:
    addresses = {}
    for section in ("firewall address", "firewall address6"):
        for name, settings in sections.get(section, {}).items():
            for words in settings:
                if words[0] == "subnet":
                    addresses[name] = masked(words[1], words[2])
                elif words[0] == "ip6":
                    addresses[name] = words[1]
    return addresses


def read_fortigate(content: str) -> Allowed:
    sections = _forti_sections(content)
    addresses = _forti_addresses(sections)
    groups = {
        name: settings[0][1:]
        for section in ("firewall addrgrp", "firewall addrgrp6")
        for name, settings in sections.get(section, {}).items()
    }
    services = {
        name: [(w[0].split("-")[0], _ranges(" ".join(w[1:]))) for w in settings]
        for name, settings in sections.get("firewall service custom", {}).items()
    }
    allowed = allowances()
    for settings in sections.get("firewall policy", {}).values():
        values = {words[0]: words[1:] for words in settings}
        refs = values.get("dstaddr", []) + values.get("dstaddr6", [])
        destinations = [addresses[n] for ref in refs for n in groups.get(ref, [ref])]
        source_refs = values.get("srcaddr", []) + values.get("srcaddr6", [])
        sources = _resolved(source_refs, groups, addresses, "all")
        for service in values.get("service", []):
            for protocol, ranges in services[service]:
                allow(allowed, protocol, destinations, ranges, sources)
    return allowed
