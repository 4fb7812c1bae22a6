from provisioning.admin import (
    allocations,
    apps,
    changes,
    connectivity,
    pools,
    reference,
    requests,
    task_results,
)

__all__ = [
    "allocations",
    "apps",
    "changes",
    "connectivity",
    "pools",
    "reference",
    "requests",
    "task_results",
]
