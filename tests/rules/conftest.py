"""Factories for rule set tests: allocations and endpoints written directly, as the
allocation engine would leave them."""

from datetime import UTC, datetime

import pytest

from provisioning.choices import AllocationKind, AllocationStatus, PoolKind, PortPurpose
from provisioning.models import AllocatedEndpoint, Allocation, ProvisioningRequest
from rules.aggregation import entries_aggregate
from rules.document import RuleSetDocument, content_sha256
from tests.factories import AppFactory, ProxyPoolFactory, RegionFactory

STANDARD_PORTS = [
    {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": PortPurpose.SIGNALLING},
    {"protocol": "tcp", "port_start": 4000, "port_end": 4000, "purpose": PortPurpose.SIGNALLING},
    {"protocol": "tcp", "port_start": 3433, "port_end": 3460, "purpose": PortPurpose.MEDIA},
    {"protocol": "udp", "port_start": 3478, "port_end": 3500, "purpose": PortPurpose.MEDIA},
]
EDGE_PORTS = [{"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "edge"}]

# A rule set that mixes IPv4 and IPv6, single ports and ranges, TCP and UDP, test and
# production, and addresses that collapse into a wider network.
MIXED_ENDPOINTS = [
    ("test", "150.138.153.78", STANDARD_PORTS),
    ("test", "47.74.211.17", EDGE_PORTS),
    ("production", "198.51.100.4", STANDARD_PORTS),
    ("production", "198.51.100.5", STANDARD_PORTS),
    ("production", "198.51.100.9", STANDARD_PORTS),
    ("production", "2001:db8::10", STANDARD_PORTS),
    ("production", "2001:db8::11", STANDARD_PORTS),
    ("production", "2001:db8:1::7", EDGE_PORTS),
]
APP_ID = "0123456789abcdef0123456789abcdef"


def mixed_document(*, app_name="Video app", source_networks=()) -> RuleSetDocument:
    """Return the mixed rule set as renderers see it, without a database."""
    entries = entries_aggregate(MIXED_ENDPOINTS)
    return RuleSetDocument(
        app_id=APP_ID,
        app_name=app_name,
        version="2026112101",
        created_at=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        sha256=content_sha256(app_id=APP_ID, source_networks=source_networks, entries=entries),
        source_networks=tuple(source_networks),
        entries=entries,
    )


def sources_of(fmt, sources, family: int) -> frozenset[str]:
    """Return the sources a rule of ``family`` must have in ``fmt``, as the readers give
    them: the networks of that family, empty (any) for none or where none apply."""
    if not fmt.applies_sources:
        return frozenset()
    return frozenset(s for s in sources if (":" in s) == (family == 6))


def open_request(app) -> ProvisioningRequest:
    """Return the app's open request, creating one in the testing state."""
    request = ProvisioningRequest.objects.filter(app=app).first()
    if request is None:
        request = ProvisioningRequest.objects.create(app=app, concurrency=100, status="testing")
        request.regions.set([RegionFactory(code="na")])
    return request


def allocation_with(app, *, kind=AllocationKind.TEST, status=AllocationStatus.ACTIVE,
                    addresses=(), ports=STANDARD_PORTS, **fields) -> Allocation:  # fmt: skip
    """Create an allocation of ``app`` holding ``addresses`` with ``ports``."""
    allocation = Allocation.objects.create(
        request=open_request(app), kind=kind, status=status, **fields
    )
    pool = ProxyPoolFactory(kind=PoolKind.TEST if kind == AllocationKind.TEST else kind)
    for address in addresses:
        AllocatedEndpoint.objects.create(
            allocation=allocation, pool=pool, address=address, role=pool.role,
            ports=ports, dedicated=kind == AllocationKind.PRODUCTION,
            live=status in (AllocationStatus.PENDING, AllocationStatus.ACTIVE),
        )  # fmt: skip
    return allocation


def allocation_release(allocation, *, when, status=AllocationStatus.RELEASED) -> None:
    """Release ``allocation`` at ``when`` as the allocation engine does."""
    allocation.status = status
    allocation.released_at = when
    allocation.save(update_fields=["status", "released_at"])
    allocation.endpoints.update(live=False, released_at=when)


@pytest.fixture
def app(db):
    return AppFactory(app_id=APP_ID, name="Video app")
