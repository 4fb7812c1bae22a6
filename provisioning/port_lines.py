"""Port ranges typed one per line ("TCP 3433-3460 media"), as the admin's port profile
form takes them, and back to text."""

import re
from typing import NamedTuple

from provisioning.choices import PortPurpose, Protocol
from provisioning.constants import MAX_PORT, MIN_PORT

LINE = re.compile(
    r"(?P<protocol>\w+)\s+(?P<start>\d{1,5})(?:\s*-\s*(?P<end>\d{1,5}))?\s+(?P<purpose>\w+)"
)
EXAMPLE = "Example: TCP 3433-3460 media."


class PortLine(NamedTuple):
    protocol: str
    port_start: int
    port_end: int
    purpose: str

    def __str__(self):
        ports = str(self.port_start)
        if self.port_end != self.port_start:
            ports = f"{self.port_start}-{self.port_end}"
        return f"{self.protocol.upper()} {ports} {self.purpose}"


def port_line_parse(text: str) -> PortLine:
    """Return the port range on one line; raise ValueError with a sentence saying why not."""
    match = LINE.fullmatch(text.strip())
    shown = text if len(text) <= 40 else text[:39] + "\u2026"
    if match is None:
        raise ValueError(
            f"\u201c{shown}\u201d is not a protocol, a port or range, and a purpose. {EXAMPLE}"
        )
    protocol, purpose = match["protocol"].lower(), match["purpose"].lower()
    start = int(match["start"])
    end = int(match["end"] or start)
    if protocol not in Protocol.values:
        raise ValueError(f"The protocol is one of {', '.join(Protocol.labels)}. {EXAMPLE}")
    if purpose not in PortPurpose.values:
        raise ValueError(f"The purpose is one of {', '.join(PortPurpose.values)}. {EXAMPLE}")
    for port in (start, end):
        if not MIN_PORT <= port <= MAX_PORT:
            raise ValueError(f"Ports are {MIN_PORT}-{MAX_PORT}; {port} is out of range.")
    if start > end:
        raise ValueError(f"The last port ({end}) must not be before the first ({start}).")
    return PortLine(protocol, start, end, purpose)
