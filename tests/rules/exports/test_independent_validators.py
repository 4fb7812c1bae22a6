"""Each vendor file checked by a validator that is not ours: the Kubernetes schemas,
botocore's EC2 model, the Compute Engine v1 discovery document and shellcheck, ciscoconfparse2,
and the tree-sitter PowerShell grammar. All are installed with the test dependencies and
read local data only."""

import json
import re
import subprocess
from pathlib import Path

import botocore.session
import googleapiclient
import kubernetes_validate
import pytest
import tree_sitter
import tree_sitter_powershell
import yaml
from botocore.validate import ParamValidator
from ciscoconfparse2 import CiscoConfParse

from rules.exports.registry import FORMATS
from tests.rules.conftest import mixed_document

SOURCES = [(), ("10.0.0.0/8", "fd00::/8")]


def render(name, sources):
    return FORMATS[name].render(mixed_document(source_networks=sources)).content


@pytest.mark.parametrize("sources", SOURCES)
def test_k8s_passes_kubernetes_validate_strict_for_1_25_and_later(sources):
    policy = yaml.safe_load(render("k8s", sources))
    for version in ("1.25.0", "1.30.0"):
        kubernetes_validate.validate(policy, version, strict=True)
    policy["spec"]["egress"][0]["ports"][0]["bogus"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(policy, "1.25.0", strict=True)


def _ec2_errors(operation: str, params: dict) -> str:
    model = botocore.session.get_session().get_service_model("ec2")
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    return report.generate_report() if report.has_errors() else ""


@pytest.mark.parametrize("sources", SOURCES)
def test_aws_requests_pass_botocores_ec2_model(sources):
    aws = json.loads(render("aws", sources))
    for item in aws["PrefixLists"]:
        assert _ec2_errors("CreateManagedPrefixList", item["CreateManagedPrefixList"]) == ""
        request = item["CreateManagedPrefixList"]
        modify = {
            "PrefixListId": "pl-1",
            "CurrentVersion": 1,
            "MaxEntries": 1,
            "AddEntries": request["Entries"],
            "RemoveEntries": [{"Cidr": "192.0.2.0/24"}],
        }
        assert _ec2_errors("ModifyManagedPrefixList", modify) == ""  # fmt: skip
    for operation in ("AuthorizeSecurityGroupEgress", "RevokeSecurityGroupEgress"):
        params = {"GroupId": "sg-1", "IpPermissions": aws["IpPermissions"]}
        assert _ec2_errors(operation, params) == ""
    assert _ec2_errors("AuthorizeSecurityGroupEgress", {"GroupId": "sg-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": "443"}]})  # fmt: skip


def _compute_firewall_schema() -> dict:
    documents = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    discovery = json.loads((documents / "compute.v1.json").read_text())
    return discovery["schemas"]["Firewall"]["properties"]


GCLOUD_FLAGS = {  # gcloud flag -> Firewall resource field (compute v1)
    "network": "network", "direction": "direction", "action": None, "priority": "priority",
    "rules": "allowed", "destination-ranges": "destinationRanges", "description": "description",
}  # fmt: skip


@pytest.mark.parametrize("sources", SOURCES)
def test_gce_flags_map_to_compute_v1_fields_and_shellcheck_is_clean(sources, tmp_path):
    fields = _compute_firewall_schema()
    script = render("gce", sources)
    for line in script.splitlines():
        if " firewall-rules create " not in line:
            continue
        for flag, value in re.findall(r"--([a-z-]+)=(\S+)", line):
            assert flag in GCLOUD_FLAGS, flag
            assert GCLOUD_FLAGS[flag] is None or GCLOUD_FLAGS[flag] in fields, flag
            if flag == "direction":
                assert value in fields["direction"]["enum"]
        name = line.split(" create ")[1].split()[0]
        assert re.fullmatch(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?", name), name
    path = tmp_path / "rules.sh"
    path.write_text(script)
    result = subprocess.run(["shellcheck", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("sources", SOURCES)
def test_asa_structure_parses_with_ciscoconfparse2(sources):
    content = render("ciscoasa", sources)
    parsed = CiscoConfParse(content.splitlines(), syntax="asa")
    acl = parsed.find_objects(r"^access-list pp-0123456789ab extended permit")
    lines = [line for line in content.splitlines() if " extended permit " in line]
    assert len(acl) == len(lines) > 0
    assert all(re.fullmatch(r"access-list \S+ extended permit (tcp|udp) .+ (eq \d+|range \d+ \d+)",
                            obj.text) for obj in acl)  # fmt: skip
    assert parsed.find_objects(r"^clear configure access-list pp-0123456789ab$")


@pytest.mark.parametrize("sources", SOURCES)
def test_srx_structure_parses_with_ciscoconfparse2(sources):
    content = render("srx", sources)
    lines = [line for line in content.splitlines() if not line.startswith("#")]
    parsed = CiscoConfParse(lines, syntax="junos")
    policies = parsed.find_objects(r"security policies from-zone trust to-zone untrust policy")
    assert policies and all(obj.text.startswith("set groups pp-0123456789ab ") for obj in policies)
    assert lines[0] == "delete groups pp-0123456789ab" and lines[-1].startswith("set apply-groups")


NEW_RULE = {"Name", "DisplayName", "Group", "Direction", "Action", "Protocol", "RemoteAddress",
            "RemotePort", "LocalAddress"}  # fmt: skip
REMOVE_RULE: set[str] = set()
GET_RULE = {"Group", "ErrorAction"}


def _nodes(node):
    yield node
    for child in node.children:
        yield from _nodes(child)


@pytest.mark.parametrize("sources", SOURCES)
def test_windows_parses_with_tree_sitter_powershell_and_uses_real_parameters(sources):
    content = render("windows", sources).encode()
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    tree = parser.parse(content)
    assert not tree.root_node.has_error
    allowed = {"New-NetFirewallRule": NEW_RULE, "Remove-NetFirewallRule": REMOVE_RULE,
               "Get-NetFirewallRule": GET_RULE, "Out-Null": set()}  # fmt: skip
    seen = set()
    for node in _nodes(tree.root_node):
        if node.type != "command":
            continue
        name = node.child_by_field_name("command_name").text.decode()
        seen.add(name)
        parameters = {
            child.text.decode().lstrip("-")
            for child in _nodes(node)
            if child.type == "command_parameter"
        }
        assert parameters <= allowed[name], (name, parameters - allowed[name])
    assert {"New-NetFirewallRule", "Remove-NetFirewallRule"} <= seen
    assert parser.parse(b"New-NetFirewallRule -Name 'x' -RemoteAddress @('a'").root_node.has_error
