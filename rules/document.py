"""The plain-data form of a rule set that every renderer reads, and its canonical JSON."""

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache

from rules.constants import ENTRY_ID_LENGTH, GROUP_ID_LENGTH

PortRanges = tuple[tuple[int, int], ...]


@lru_cache(maxsize=4096)
def ports_text(ports: PortRanges, *, sep: str = ",", range_sep: str = "-") -> str:
    """Return port ranges as text, e.g. ``443,4000,3433-3460``. A rule set has a handful
    of distinct port lists, written once per entry by every format: they are cached."""
    return sep.join(str(a) if a == b else f"{a}{range_sep}{b}" for a, b in ports)


@lru_cache(maxsize=4096)
def _network_family_text(network: str) -> tuple[int, str]:
    """Return the family and canonical text of a network; versions share their source
    networks, so the parse of each text is remembered."""
    parsed = ipaddress.ip_network(network)
    return parsed.version, str(parsed)


def ports_parse(text: str) -> PortRanges:
    """Return the port ranges of a text written by ``ports_text``."""
    ranges = []
    for part in text.split(","):
        start, _, end = part.partition("-")
        ranges.append((int(start), int(end or start)))
    return tuple(ranges)


def entry_id_for(*, environment: str, protocol: str, destination: str, ports: PortRanges) -> str:
    """Return the stable id of an entry: a short digest of what it allows."""
    key = f"{environment}|{protocol}|{destination}|{ports_text(ports)}"
    return hashlib.sha256(key.encode()).hexdigest()[:ENTRY_ID_LENGTH]


@dataclass(frozen=True)
class Entry:
    """One destination network that an environment reaches on a protocol and ports."""

    environment: str
    protocol: str
    destination: str
    ports: PortRanges
    purpose: str
    id: str = ""

    def __post_init__(self):
        if not self.id:
            object.__setattr__(
                self,
                "id",
                entry_id_for(
                    environment=self.environment,
                    protocol=self.protocol,
                    destination=self.destination,
                    ports=self.ports,
                ),
            )
        # Read for every entry by every format: a plain attribute, not a parse. IPv6 text
        # always holds a colon and IPv4 text never does; a destination that is no network
        # at all is refused by the safety check before any format reads it.
        object.__setattr__(self, "family", 6 if ":" in str(self.destination) else 4)

    @cached_property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.destination)

    @cached_property
    def ports_text(self) -> str:
        # Every format writes it or keys its caches by it: text hashes once, a tuple of
        # pairs on every lookup.
        return ports_text(self.ports)

    def sort_key(self):
        network = self.network
        return (
            self.environment,
            network.version,
            self.protocol,
            self.purpose,
            self.ports,
            int(network.network_address),
            network.prefixlen,
        )

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "environment": self.environment,
            "family": self.family,
            "protocol": self.protocol,
            "destination": self.destination,
            "ports": self.ports_text,
            "purpose": self.purpose,
        }


@dataclass(frozen=True)
class Group:
    """Entries that share an environment, protocol, ports and purpose: one firewall rule."""

    environment: str
    protocol: str
    ports: PortRanges
    purpose: str
    entries: tuple[Entry, ...]

    @cached_property
    def id(self) -> str:
        key = f"{self.environment}|{self.protocol}|{ports_text(self.ports)}|{self.purpose}"
        return hashlib.sha256(key.encode()).hexdigest()[:GROUP_ID_LENGTH]

    @cached_property
    def _by_family(self) -> dict[int, tuple[Entry, ...]]:
        return _entries_by_family(self.entries)

    def of_family(self, family: int) -> tuple[Entry, ...]:
        return self._by_family[family]


def _entries_by_family(entries) -> dict[int, tuple[Entry, ...]]:
    by_family: dict[int, list[Entry]] = {4: [], 6: []}
    for entry in entries:
        by_family[entry.family].append(entry)
    return {family: tuple(items) for family, items in by_family.items()}


def canonical_json(*, app_id: str, source_networks, entries) -> str:
    """Return the canonical JSON of a rule set's content (no version, no time)."""
    body = {
        "app_id": app_id,
        "source_networks": list(source_networks),
        "entries": [entry.as_dict() for entry in entries],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_sha256(*, app_id: str, source_networks, entries) -> str:
    """Return the sha256 of the canonical JSON: equal content, equal digest."""
    text = canonical_json(app_id=app_id, source_networks=source_networks, entries=entries)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RuleSetDocument:
    """A published rule set as renderers see it. ``app_name`` is customer text: only
    formats that escape it structurally (JSON) may carry it."""

    app_id: str
    version: str
    created_at: datetime
    sha256: str
    source_networks: tuple[str, ...]
    entries: tuple[Entry, ...]
    app_name: str = ""
    # When the version's new addresses reach SDKs unless acknowledged before (None: at once).
    effective_at: datetime | None = None
    groups: tuple[Group, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "groups", _groups_of(self.entries))

    @property
    def created_at_text(self) -> str:
        return self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    @cached_property
    def _sources_by_family(self) -> dict[int, tuple[str, ...]]:
        parsed = [_network_family_text(str(network)) for network in self.source_networks]
        return {family: tuple(text for f, text in parsed if f == family) for family in (4, 6)}

    def sources_of_family(self, family: int) -> tuple[str, ...]:
        """Return the source networks of one family; empty means any."""
        return self._sources_by_family[family]

    @cached_property
    def _by_family(self) -> dict[int, tuple[Entry, ...]]:
        return _entries_by_family(self.entries)

    def entries_of(self, families) -> tuple[Entry, ...]:
        """Return the entries of ``families`` in the document's order."""
        if 4 in families and 6 in families:
            return self.entries
        if 4 in families or 6 in families:
            return self._by_family[4 if 4 in families else 6]
        return ()


def _groups_of(entries) -> tuple[Group, ...]:
    grouped: dict[tuple, list[Entry]] = {}
    for entry in entries:
        key = (entry.environment, entry.protocol, entry.ports, entry.purpose)
        grouped.setdefault(key, []).append(entry)
    return tuple(
        Group(environment=e, protocol=p, ports=ports, purpose=u, entries=tuple(items))
        for (e, p, ports, u), items in grouped.items()
    )
