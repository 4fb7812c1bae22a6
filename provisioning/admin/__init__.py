from provisioning.admin import allocations, apps, changes, pools, reference, requests, task_results

__all__ = ["allocations", "apps", "changes", "pools", "reference", "requests", "task_results"]
