import csv
import io
import json
import subprocess
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest
import yaml

from rules.aggregation import entries_aggregate
from rules.exceptions import RuleExportFailed
from rules.exports import cisco_forti
from rules.exports.completeness import export_missing
from rules.exports.readback import READERS
from rules.exports.readback_vendors import flattened
from rules.exports.registry import FORMATS, format_get
from tests.rules.conftest import mixed_document, sources_of
from tests.rules.exports.validators import VALIDATORS, validate

SOURCES = ("10.0.0.0/8", "fd00::/8")


def ports_of(entry) -> set[int]:
    return {port for pair in entry.ports for port in pair}


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("sources", [(), SOURCES], ids=["any-source", "source-networks"])
def test_every_destination_and_port_appears(name, sources):
    document = mixed_document(source_networks=sources)
    families = {entry.family for entry in document.entries}
    protocols = {entry.protocol for entry in document.entries}
    assert families == {4, 6} and protocols == {"tcp", "udp"}
    assert any(len(e.ports) > 1 for e in document.entries)  # lists of single ports
    assert any(a != b for e in document.entries for a, b in e.ports)  # and ranges

    rendered = FORMATS[name].render(document)

    assert export_missing(document=document, rendered=rendered, format_name=name) == []
    carried = [e for e in document.entries if e.family in FORMATS[name].families]
    # Read back, the file allows exactly each entry's ports towards its destination, from
    # the source networks of the entry's family (none: any source).
    assert flattened(READERS[name](rendered.content)) == {
        (e.protocol, e.destination, a, b, sources_of(FORMATS[name], sources, e.family))
        for e in carried
        for a, b in e.ports
    }
    for entry in carried:
        compact = entry.destination.removesuffix("/32").removesuffix("/128")
        assert compact.split("/")[0] in rendered.content, entry
        assert all(str(port) in rendered.content for port in ports_of(entry)), entry
    omitted = {e.id for e in rendered.omitted}
    assert omitted == {e.id for e in document.entries if e.family not in FORMATS[name].families}


@pytest.mark.parametrize("name", list(VALIDATORS))
@pytest.mark.parametrize("sources", [(), SOURCES], ids=["any-source", "source-networks"])
def test_netfilter_files_pass_the_real_validators(name, sources):
    content = FORMATS[name].render(mixed_document(source_networks=sources)).content
    result = validate(VALIDATORS[name], content)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_the_validators_do_reject_a_broken_file(name):
    content = FORMATS[name].render(mixed_document()).content.replace("3460", "99999")
    assert validate(VALIDATORS[name], content).returncode != 0


def test_iptables_lists_the_ipv6_entries_it_cannot_carry_and_ip6tables_the_ipv4_ones():
    document = mixed_document()
    v4 = FORMATS["iptables"].render(document)
    v6 = FORMATS["ip6tables"].render(document)
    ipv6 = [e for e in document.entries if e.family == 6]
    ipv4 = [e for e in document.entries if e.family == 4]
    assert v4.omitted == tuple(ipv6) and v6.omitted == tuple(ipv4)
    header = "".join(line for line in v4.content.splitlines(True) if line.startswith("#"))
    assert "OMITTED: 4 IPv6 entries" in header
    assert all(f"omitted {e.id}" in header and e.destination in header for e in ipv6)
    assert [m["id"] for m in v4.omitted_metadata()] == [e.id for e in ipv6]
    assert "-d 2001:db8" not in v4.content and "-d 198.51.100" not in v6.content


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.families == (4, 6)])
def test_formats_that_carry_both_families_omit_nothing(name):
    rendered = FORMATS[name].render(mixed_document())
    assert rendered.omitted == () and "OMITTED" not in rendered.content


@pytest.mark.parametrize(
    "name", ["txt", "iptables", "ip6tables", "nftables", "srx", "ciscoasa", "fortigate",
             "windows", "k8s", "gce", "paloalto"]
)  # fmt: skip
def test_header_names_app_version_time_and_sha256(name):
    document = mixed_document()
    head = FORMATS[name].render(document).content[:2000]
    for fact in (document.app_id, document.version, "2026-11-21T08:00:00Z", document.sha256):
        assert fact in head


def test_json_is_the_whole_rule_set():
    document = mixed_document(source_networks=SOURCES)
    body = json.loads(FORMATS["json"].render(document).content)
    assert body["version"] == document.version and body["sha256"] == document.sha256
    assert body["source_networks"] == list(SOURCES)
    assert [e["id"] for e in body["entries"]] == [e.id for e in document.entries]
    assert body["entries"][0]["port_ranges"] == [list(p) for p in document.entries[0].ports]


def test_csv_has_one_row_per_entry():
    document = mixed_document()
    rows = list(csv.DictReader(io.StringIO(FORMATS["csv"].render(document).content)))
    assert [(r["id"], r["destination"], r["ports"], r["source"]) for r in rows] == [
        (e.id, e.destination, e.ports_text, "any") for e in document.entries
    ]


def test_csv_lists_each_source_network_once_in_rows_its_family_names():
    document = mixed_document(source_networks=("10.0.0.0/8", "192.0.2.0/24"))
    rows = list(csv.DictReader(io.StringIO(FORMATS["csv"].render(document).content)))
    entries = [row for row in rows if row["protocol"]]
    assert len(entries) == len(document.entries)
    assert {(r["family"], r["source"]) for r in entries} == {("4", "sources-ipv4"), ("6", "any")}
    sources = [(r["id"], r["family"], r["purpose"], r["source"]) for r in rows[len(entries) :]]
    assert sources == [
        ("sources-ipv4", "4", "source network", "10.0.0.0/8"),
        ("sources-ipv4", "4", "source network", "192.0.2.0/24"),
    ]


def test_k8s_is_a_valid_egress_network_policy():
    document = mixed_document()
    policy = yaml.safe_load(FORMATS["k8s"].render(document).content)
    assert policy["kind"] == "NetworkPolicy" and policy["spec"]["policyTypes"] == ["Egress"]
    cidrs = {peer["ipBlock"]["cidr"] for rule in policy["spec"]["egress"] for peer in rule["to"]}
    assert cidrs == {e.destination for e in document.entries}
    ranges = [p for rule in policy["spec"]["egress"] for p in rule["ports"] if "endPort" in p]
    assert {"protocol": "UDP", "port": 3478, "endPort": 3500} in ranges


def test_aws_is_prefix_lists_referenced_by_one_rule_per_port_range():
    document = mixed_document()
    aws = json.loads(FORMATS["aws"].render(document).content)
    requests = [item["CreateManagedPrefixList"] for item in aws["PrefixLists"]]
    cidrs = {e["Cidr"] for request in requests for e in request["Entries"]}
    assert cidrs == {e.destination for e in document.entries}
    permissions = aws["IpPermissions"]
    assert {(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in permissions} >= {
        ("tcp", 443, 443), ("tcp", 3433, 3460), ("udp", 3478, 3500)
    }  # fmt: skip
    for request in requests:
        listed = [e["Cidr"] for e in request["Entries"]]
        assert len(listed) == len(set(listed)) == request["MaxEntries"]
        assert {":" in cidr for cidr in listed} == {request["AddressFamily"] == "IPv6"}
    # Each referenced list counts as MaxEntries rules; the file says how many in total.
    counted = sum(
        r["MaxEntries"] for r in requests for p in permissions
        if p["PrefixListIds"][0]["PrefixListId"] == r["PrefixListName"]
    )  # fmt: skip
    assert counted == aws["RulesCounted"]["IPv4"] + aws["RulesCounted"]["IPv6"]
    assert any(f"IPv4 {aws['RulesCounted']['IPv4']}," in line for line in aws["Comment"])
    assert aws["DefaultRuleQuota"] == 60


def test_paloalto_is_well_formed_xml_with_a_rule_per_group_and_family():
    document = mixed_document()
    root = ET.fromstring(FORMATS["paloalto"].render(document).content.encode())
    rules = root.findall(".//rulebase/security/rules/entry")
    # Each family has its own rule so that it carries that family's sources.
    assert len(rules) == sum(1 for g in document.groups for f in (4, 6) if g.of_family(f))
    netmasks = {e.text for e in root.findall(".//address/entry/ip-netmask")}
    assert netmasks == {e.destination for e in document.entries}


def test_ciscoasa_writes_ipv4_masks_and_ipv6_prefixes():
    content = FORMATS["ciscoasa"].render(mixed_document()).content
    assert "198.51.100.4 255.255.255.254 range 3433 3460" in content
    assert "host 150.138.153.78 eq 4000" in content
    assert "udp any 2001:db8::10/127 range 3478 3500" in content


def test_registry_describes_every_format():
    assert " ".join(FORMATS) == (
        "json csv txt iptables ip6tables nftables srx paloalto ciscoasa fortigate windows "
        "k8s gce aws"
    )
    for fmt in FORMATS.values():
        described = fmt.as_dict()
        assert described["mime_type"] and described["extension"] and described["families"]
    assert format_get("iptables").families == (4,)


def many_ports_document():
    ports = [
        {"protocol": "tcp", "port_start": p, "port_end": p, "purpose": "media"}
        for p in range(5000, 5040, 2)
    ] + [{"protocol": "tcp", "port_start": 6000, "port_end": 6010, "purpose": "media"}]
    entries = entries_aggregate(
        [("production", "192.0.2.1", ports), ("production", "2001:db8::1", ports)]
    )
    return replace(mixed_document(source_networks=("10.0.0.0/8",)), entries=entries)


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_long_port_lists_are_split_to_fit_multiport_and_still_validate(name):
    document = many_ports_document()
    rendered = FORMATS[name].render(document)
    assert export_missing(document=document, rendered=rendered, format_name=name) == []
    result = validate(VALIDATORS[name], rendered.content)
    assert result.returncode == 0, result.stderr
    if name == "iptables":
        assert rendered.content.count("--dports") == 2
    if name == "ip6tables":
        assert "-s " not in rendered.content
        assert "IPv6 rules have any source" in rendered.content


def test_gce_is_a_valid_shell_script_with_one_family_per_rule(tmp_path):
    document = mixed_document()
    script = tmp_path / "rules.sh"
    script.write_text(FORMATS["gce"].render(document).content)
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    creates = [line for line in script.read_text().splitlines() if " create " in line]
    for line in creates:
        ranges = line.split("--destination-ranges=")[1].split()[0].split(",")
        assert len({":" in cidr for cidr in ranges}) == 1, line


def test_k8s_policy_selects_only_labelled_pods():
    policy = yaml.safe_load(FORMATS["k8s"].render(mixed_document()).content)
    assert policy["spec"]["podSelector"] == {
        "matchLabels": {"proxy-provisioning/pp-0123456789ab": "enabled"}
    }


@pytest.mark.parametrize("name", list(FORMATS))
def test_an_emptied_rule_set_still_renders_a_valid_file(name):
    """After a revocation the latest version has no entries: the file then removes the
    app's rules rather than breaking the customer's import."""
    document = replace(mixed_document(), entries=())
    rendered = FORMATS[name].render(document)
    assert export_missing(document=document, rendered=rendered, format_name=name) == []
    assert flattened(READERS[name](rendered.content)) == set()
    if name in VALIDATORS:
        result = validate(VALIDATORS[name], rendered.content)
        assert result.returncode == 0, result.stderr


def test_fortigate_refuses_a_rule_set_larger_than_its_slots_with_a_readable_error(monkeypatch):
    monkeypatch.setattr(cisco_forti, "FORTIGATE_GROUP_MEMBERS", 1)
    monkeypatch.setattr(cisco_forti, "FORTIGATE_GROUP_SLOTS", 2)
    with pytest.raises(RuleExportFailed, match="needs more FortiGate policies or address groups"):
        FORMATS["fortigate"].render(mixed_document())
