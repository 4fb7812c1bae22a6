from provisioning.admin import allocations, pools, reference, requests

__all__ = ["allocations", "pools", "reference", "requests"]
