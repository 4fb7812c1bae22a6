"""What the provisioning side hands over to publish an app's rules, as plain data."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class EndpointSnapshot:
    """A live endpoint: its environment, address and the snapshot of its port profile
    (items with ``protocol``, ``port_start``, ``port_end`` and ``purpose``)."""

    environment: str
    address: str
    ports: list


@dataclass(frozen=True)
class EndpointRelease:
    """An endpoint that left the live set, and when (its own release or its allocation's);
    its pool keeps it from other customers for ``quarantine_days`` after that."""

    environment: str
    address: str
    released_at: datetime
    quarantine_days: int = 0
