"""What every renderer shares: the format record, the render context, headers and names.

Renderers build every name from the App ID, entry and group ids (hex digits) and choice
values; customer text (app, customer names, notes) never reaches a vendor file.
"""

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import attrgetter

from rules.constants import ADDRESS_ID_LENGTH, APP_TAG_LENGTH, NAME_PREFIX
from rules.document import Entry, Group, RuleSetDocument
from rules.exports.memo import DocumentMemo
from rules.exports.pauses import gc_paused
from rules.exports.safety import document_check_safe

FAMILY_LABELS = {4: "IPv4", 6: "IPv6"}
ENVIRONMENT_TAGS = {"test": "test", "production": "prod"}
# 24 -> "255.255.255.0": IPv4 prefixes as Cisco and FortiOS write them.
IPV4_NETMASKS = {bits: str(ipaddress.IPv4Network((0, bits)).netmask) for bits in range(33)}
# The files of the last two documents (a delta's two versions): a delta of a format that
# replaces our objects is the new version's file, rendered once.
_RENDERED = DocumentMemo(size=2)
_ADDRESS_NAMES = DocumentMemo(size=2)
_destination_of = attrgetter("destination")


def address_netmask(network: str) -> tuple[str, str]:
    """Return the address and netmask of a canonical IPv4 network's text."""
    address, _, bits = network.partition("/")
    return address, IPV4_NETMASKS[int(bits)]


@lru_cache(maxsize=1 << 17)
def _address_name(app_tag: str, destination: str) -> str:
    digest = hashlib.sha256(destination.encode()).hexdigest()[:ADDRESS_ID_LENGTH]
    return f"{app_tag}-a{digest}"


@dataclass(frozen=True)
class Rendered:
    """A rendered file and the entries it could not carry (listed in its header too)."""

    content: str
    omitted: tuple[Entry, ...] = ()

    def omitted_metadata(self) -> list[dict]:
        return [entry.as_dict() for entry in self.omitted]


@dataclass(frozen=True)
class RenderContext:
    """What a renderer gets: the document, the entries it carries and those it omits."""

    format: "Format"
    document: RuleSetDocument
    entries: tuple[Entry, ...]
    omitted: tuple[Entry, ...]

    @cached_property
    def app_tag(self) -> str:
        """Return the prefix of every generated name, e.g. ``pp-0123456789ab``."""
        return f"{NAME_PREFIX}-{self.document.app_id[:APP_TAG_LENGTH]}"

    @property
    def groups(self) -> tuple[Group, ...]:
        """Return the document's groups restricted to the entries this format carries."""
        carried = set(self.format.families)
        if carried >= {4, 6}:
            return self.document.groups
        result = []
        for group in self.document.groups:
            entries = tuple(entry for entry in group.entries if entry.family in carried)
            if entries:
                result.append(
                    Group(
                        environment=group.environment,
                        protocol=group.protocol,
                        ports=group.ports,
                        purpose=group.purpose,
                        entries=entries,
                    )
                )
        return tuple(result)

    def family_count(self, family: int) -> int:
        """Return how many of the carried entries are of ``family``."""
        return self._family_counts[family]

    @cached_property
    def _family_counts(self) -> dict[int, int]:
        counts = {4: 0, 6: 0}
        families = self.format.families
        if self.entries is self.document.entries_of(families):
            return {f: len(self.document.entries_of((f,))) if f in families else 0 for f in counts}
        for entry in self.entries:
            counts[entry.family] += 1
        return counts

    def group_name(self, group: Group, *suffix) -> str:
        """Return a vendor-safe name for a group: ``pp-<app>-<env>-<group id>[-suffix]``."""
        parts = [self.app_tag, ENVIRONMENT_TAGS.get(group.environment, "env"), group.id]
        parts.extend(str(item) for item in suffix)
        return "-".join(parts)

    def address_name(self, destination: str) -> str:
        """Return the name of an address object: one per destination network."""
        return _address_name(self.app_tag, destination)

    @property
    def address_names(self) -> dict[str, str]:
        """Return ``address_name`` of every destination of the document, computed once per
        document for the formats that name every address (SRX, PAN-OS, FortiOS)."""
        tag = self.app_tag
        return _ADDRESS_NAMES.get(
            self.document,
            "address names",
            lambda: {
                d: _address_name(tag, d)
                for d in dict.fromkeys(map(_destination_of, self.document.entries))
            },
        )

    def sources_of_family(self, family: int) -> tuple[str, ...]:
        """Return the sources a rule of ``family`` carries in this format; empty is any."""
        if not self.format.applies_sources:
            return ()
        return self.document.sources_of_family(family)

    def source_lines(self) -> list[str]:
        """Return the header lines that say, per family, which sources the rules carry."""
        if not self.format.applies_sources:
            return [
                "Source: not applied; this format selects the instances or pods it "
                "covers, not source addresses"
            ]
        lines = []
        for family in self.format.families:
            label = FAMILY_LABELS[family]
            sources = self.document.sources_of_family(family)
            if sources:
                lines.append(f"{label} source: {', '.join(sources)}")
            elif self.document.source_networks:
                lines.append(
                    f"{label} rules have any source: the app lists no {label} source network"
                )
            else:
                lines.append(f"{label} source: any")
        return lines

    def header_lines(self, notes: tuple[str, ...] = ()) -> list[str]:
        """Return the header text: app, version, generation time, sha256, when the version
        reaches SDKs, omissions."""
        document = self.document
        counts = ", ".join(
            f"{self.family_count(family)} {label}"
            for family, label in FAMILY_LABELS.items()
            if family in self.format.families
        )
        if document.effective_at is not None:
            effective = (
                f"New addresses reach SDKs from {document.effective_at:%Y-%m-%dT%H:%M:%SZ}, or "
                f"once you acknowledge this version (POST /api/v1/apps/{document.app_id}/rules/"
                f"{document.version}/ack): load this file before then"
            )
        else:
            effective = "Every address in this version may reach SDKs at once"
        lines = [
            f"Firewall whitelist for App ID {document.app_id} ({self.format.label})",
            f"Rule set version {document.version}, generated {document.created_at_text}",
            f"Rule set sha256 {document.sha256}",
            f"Entries: {len(self.entries)} ({counts})",
            effective,
            "Removed addresses leave SDKs at once and stay ours until the removal's "
            "effective_at in the change feed",
            *self.source_lines(),
            *notes,
        ]
        if self.omitted:
            families = sorted({FAMILY_LABELS[entry.family] for entry in self.omitted})
            lines.append(
                f"OMITTED: {len(self.omitted)} {'/'.join(families)} entries that this format "
                "cannot carry; use the companion format for them:"
            )
            lines.extend(
                f"  omitted {entry.id} {entry.environment} {entry.protocol} "
                f"{entry.destination} ports {entry.ports_text}"
                for entry in self.omitted
            )
        return lines


def comment_block(lines, prefix: str = "#") -> str:
    """Return ``lines`` as comment lines, each starting with ``prefix``."""
    commented = "\n".join(map(str.rstrip, map(f"{prefix} ".__add__, lines)))
    return commented + "\n" if commented else ""


@dataclass(frozen=True)
class Format:
    """A firewall export format in the registry."""

    name: str
    label: str
    extension: str
    mime_type: str
    families: tuple[int, ...]
    renderer: Callable[[RenderContext], str] = field(repr=False)
    description: str = ""
    # Whether rules carry the app's source networks (cloud and pod policies select
    # instances or pods instead).
    applies_sources: bool = True

    @property
    def filename_suffix(self) -> str:
        """Return the end of a download's name: distinct per format, e.g. ``-asa.txt``."""
        return f"-{self.name}.{self.extension}"

    @property
    def omits_families(self) -> tuple[int, ...]:
        return tuple(family for family in (4, 6) if family not in self.families)

    def render(self, document: RuleSetDocument) -> Rendered:
        """Render ``document``; entries of families the format lacks are listed, not lost.
        Raise UnsafeRuleSet if the document holds any non-canonical value."""
        with gc_paused():
            document_check_safe(document)
            return _RENDERED.get(document, self, lambda: self._render(document))

    def _render(self, document: RuleSetDocument) -> Rendered:
        carried = document.entries_of(self.families)
        omitted = document.entries_of(self.omits_families)
        context = RenderContext(format=self, document=document, entries=carried, omitted=omitted)
        return Rendered(content=self.renderer(context), omitted=omitted)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "extension": self.extension,
            "mime_type": self.mime_type,
            "families": [FAMILY_LABELS[family] for family in self.families],
            "description": self.description,
            "applies_sources": self.applies_sources,
            "filename_suffix": self.filename_suffix,
        }
