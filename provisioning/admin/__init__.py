from provisioning.admin import allocations, apps, pools, reference, requests, task_results

__all__ = ["allocations", "apps", "pools", "reference", "requests", "task_results"]
