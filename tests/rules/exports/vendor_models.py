"""Small models of vendor configuration stores: objects, groups and policies keyed by
name. Each applies a rendered file (or the commands its header gives) as the device
would, and writes its configuration back out for the format's reader."""

import copy
import json
import re
from xml.etree import ElementTree as ET


class SrxStore:
    """Junos candidate configuration as its ``set`` lines; groups deleted by name."""

    def __init__(self, lines=()):
        self.lines = dict.fromkeys(lines)

    def apply(self, content: str) -> None:
        for line in content.splitlines():
            if line.startswith("delete groups "):
                prefix = f"set groups {line.split()[2]} "
                self.lines = {k: None for k in self.lines if not k.startswith(prefix)}
            elif line.startswith("set "):
                self.lines[line] = None

    def text(self) -> str:
        return "\n".join(self.lines)


class AsaStore:
    """ASA access lists and network object groups by name; a repeated ACE is refused as
    a duplicate, and an entry naming an object group that does not exist is refused."""

    def __init__(self, lines=()):
        self.acls: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}
        self.apply("\n".join(lines))

    def apply(self, content: str) -> None:
        group = None
        for line in content.splitlines():
            words = line.split()
            if line.startswith(" network-object ") and group is not None:
                self.groups[group].append(" ".join(words[1:]))
                continue
            group = None
            if words[:3] == ["clear", "configure", "access-list"]:
                self.acls.pop(words[3], None)
            elif words[:4] == ["clear", "configure", "object-group", "network"]:
                in_use = f"object-group {words[4]} "
                aces = [ace for acl in self.acls.values() for ace in acl]
                assert not any(in_use in ace for ace in aces), "a group in use can't be cleared"
                self.groups.pop(words[4], None)
            elif words[:2] == ["object-group", "network"]:
                group = words[2]
                self.groups.setdefault(group, [])
            elif words[:1] == ["access-list"]:
                for i, word in enumerate(words[:-1]):
                    if word == "object-group":
                        assert words[i + 1] in self.groups, f"no object group {words[i + 1]}"
                entries = self.acls.setdefault(words[1], [])
                if line not in entries:
                    entries.append(line)

    def text(self, acl: str) -> str:
        """Return the access list and the object groups its entries name."""
        aces = self.acls.get(acl, [])
        named = {w[i + 1] for w in map(str.split, aces) for i, x in enumerate(w[:-1])
                 if x == "object-group"}  # fmt: skip
        groups = [
            line
            for name in sorted(named)
            for line in (f"object-group network {name}",
                         *(f" network-object {item}" for item in self.groups[name]))
        ]  # fmt: skip
        return "\n".join([*groups, *aces])


class FortiStore:
    """FortiOS tables: section -> edit key -> setting -> words."""

    def __init__(self, content: str = ""):
        self.tables: dict[str, dict[str, dict[str, list[str]]]] = {}
        self.apply(content)

    def apply(self, content: str) -> None:
        section = entry = None
        for line in content.splitlines():
            words = [w.strip('"') for w in line.split()]
            if not words or line.startswith("#"):
                continue
            if words[0] == "config":
                section = " ".join(words[1:])
                table = self.tables.setdefault(section, {})
            elif words[0] == "edit":
                entry = table.setdefault(words[1], {})
            elif words[0] == "set":
                entry[words[1]] = words[2:]
            elif words[0] == "unset":
                entry.pop(words[1], None)
            elif words[0] == "delete":
                table.pop(words[1], None)

    def text(self) -> str:
        lines = []
        for section, table in self.tables.items():
            lines.append(f"config {section}")
            for key, settings in table.items():
                lines.append(f'    edit "{key}"')
                lines += [f"        set {k} " + " ".join(f'"{v}"' for v in vs)
                          for k, vs in settings.items()]  # fmt: skip
                lines.append("    next")
            lines.append("end")
        return "\n".join(lines)


class PanosStore:
    """A PAN-OS candidate configuration, changed by the commands of the file's header."""

    def __init__(self, xml: str):
        self.root = ET.fromstring(xml)

    def _find(self, root, xpath: str):
        path = "." + xpath.removeprefix("/config")
        return root.find(re.sub(r"\[@name='([^']*)'\]", r"[@name='\1']", path))

    def apply(self, content: str) -> None:
        source = ET.fromstring(content.split("-->", 1)[1].strip().encode())
        header = content.split("-->", 1)[0]
        for line in header.splitlines():
            line = line.strip().replace("- -", "--")
            words = line.split()
            if line.startswith("load config partial"):
                mode, xpath = words[4], words[words.index("from-xpath") + 1]
                self._load(source, xpath, mode)
            elif words[:1] == ["delete"]:
                node = "/".join(words[1:-1])
                parent = self.root.find(f"./devices/entry/vsys/entry/{node}")
                for child in list(parent if parent is not None else []):
                    if child.get("name") == words[-1]:
                        parent.remove(child)

    def _load(self, source, xpath: str, mode: str) -> None:
        new = self._find(source, xpath)
        parent_path, _, _ = xpath.rpartition("/")
        parent = self._find(self.root, parent_path)
        old = self._find(self.root, xpath)
        if mode == "merge":
            for child in new:
                match = [c for c in old if c.get("name") == child.get("name")]
                for item in match:
                    old.remove(item)
                old.append(copy.deepcopy(child))
        else:
            if old is not None:
                parent.remove(old)
            parent.append(copy.deepcopy(new))

    def text(self) -> str:
        return ET.tostring(self.root, encoding="unicode")


class WindowsStore:
    """Windows Defender Firewall rules by Name, with their group and command line."""

    def __init__(self, rules: dict[str, tuple[str, str]]):
        self.rules = dict(rules)

    def apply(self, content: str) -> None:
        group = None
        for line in content.splitlines():
            if line.startswith("$group = "):
                group = line.split("'")[1]
            elif line.startswith("Get-NetFirewallRule -Group $group"):
                self.rules = {k: v for k, v in self.rules.items() if v[0] != group}
            elif line.startswith("New-NetFirewallRule "):
                name = re.search(r"-Name '([^']+)'", line)[1]
                if name in self.rules:
                    raise ValueError(f"rule {name} exists")
                self.rules[name] = (group, line)

    def text(self) -> str:
        return "\n".join(line for _, line in self.rules.values())


class GceStore:
    """A VPC's firewall rules by name, changed by the script's gcloud commands."""

    def __init__(self, rules: dict[str, str]):
        self.rules = dict(rules)

    def apply(self, content: str) -> None:
        keep = re.search(r"^KEEP=\(\n(.*?)^\)", content, re.S | re.M)[1].split()
        for line in content.splitlines():
            if " firewall-rules create " in line:
                name = line.split(" create ")[1].split()[0]
                self.rules.setdefault(name, line)
        prefix = re.search(r'--filter="name~\^([^"]+)"', content)[1]
        self.rules = {k: v for k, v in self.rules.items() if not k.startswith(prefix) or k in keep}

    def text(self) -> str:
        return "\n".join(self.rules.values())


class AwsStore:
    """Managed prefix lists (entries, version) and a security group's egress rules,
    changed by the procedure the file's Comment gives."""

    def __init__(self, rules=()):
        self.lists: dict[str, dict] = {}
        self.rules: set[tuple] = set(rules)

    def apply(self, content: str, app_tag: str) -> None:
        document = json.loads(content)
        for item in document["PrefixLists"]:
            request = item["CreateManagedPrefixList"]
            entries = {e["Cidr"] for e in request["Entries"]}
            current = self.lists.get(request["PrefixListName"])
            if current is None:
                self.lists[request["PrefixListName"]] = {"entries": entries, "version": 1}
            elif current["entries"] != entries:
                current["entries"], current["version"] = entries, current["version"] + 1
        wanted = {
            (p["IpProtocol"], p["FromPort"], p["ToPort"], p["PrefixListIds"][0]["PrefixListId"])
            for p in document["IpPermissions"]
        }
        self.rules = {r for r in self.rules if not r[3].startswith(app_tag) or r in wanted}
        self.rules |= wanted

    def text(self) -> str:
        return json.dumps({
            "PrefixLists": [
                {"CreateManagedPrefixList": {"PrefixListName": name, "Entries": [
                    {"Cidr": c} for c in sorted(value["entries"])]}}
                for name, value in self.lists.items()
            ],
            "IpPermissions": [
                {"IpProtocol": p, "FromPort": a, "ToPort": b, "PrefixListIds": [
                    {"PrefixListId": name}]}
                for p, a, b, name in sorted(self.rules) if name in self.lists
            ],
        })  # fmt: skip
