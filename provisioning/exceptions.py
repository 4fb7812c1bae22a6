import math

from django.core.exceptions import ValidationError


class ProvisioningError(ValidationError):
    """Base of the provisioning domain errors; each carries a field-keyed or plain message."""


class IllegalTransition(ProvisioningError):
    """A request was asked to move to a state it cannot reach from its current one."""


class PoolExhausted(ProvisioningError):
    """A pool has fewer free addresses than an allocation needs."""


class AllocationConflict(ProvisioningError):
    """A concurrent allocation took an address first; nothing was allocated."""


class UnknownScope(ProvisioningError):
    """A request names a region or ISP that no pool serves, or that doesn't exist."""


class SdkConfigError(Exception):
    """Why an app's proxy config can't be served; ``code`` is the SDK contract's error code
    (its HTTP status is in the API's error table)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class SdkThrottled(SdkConfigError):
    """Too many requests to the SDK endpoint; ``wait`` is the seconds until a retry counts."""

    def __init__(self, wait: float):
        self.wait = max(1, math.ceil(wait))
        super().__init__("throttled", f"Too many requests; try again in {self.wait} seconds.")
