"""The allocation engine: find free addresses, size sets, and keep allocations' state."""

from provisioning.services.allocation.addresses import pool_free_addresses
from provisioning.services.allocation.expiry import allocations_expire
from provisioning.services.allocation.plans import proxy_groups
from provisioning.services.allocation.production import (
    SetChange,
    production_set_allocate,
    production_set_resize,
)
from provisioning.services.allocation.shared_sets import (
    shared_set_allocate,
    shared_set_handover_schedule,
    shared_set_sync,
)
from provisioning.services.allocation.state import (
    allocation_failure_record,
    allocation_status_set,
)

__all__ = [
    "SetChange",
    "allocation_failure_record",
    "allocation_status_set",
    "allocations_expire",
    "pool_free_addresses",
    "production_set_allocate",
    "production_set_resize",
    "proxy_groups",
    "shared_set_allocate",
    "shared_set_handover_schedule",
    "shared_set_sync",
]
