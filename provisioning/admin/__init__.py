from provisioning.admin import allocations, pools, reference, requests, task_results

__all__ = ["allocations", "pools", "reference", "requests", "task_results"]
