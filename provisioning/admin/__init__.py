from provisioning.admin import allocations, apps, pools, reference, requests

__all__ = ["allocations", "apps", "pools", "reference", "requests"]
