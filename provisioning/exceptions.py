from django.core.exceptions import ValidationError


class ProvisioningError(ValidationError):
    """Base of the provisioning domain errors; each carries a field-keyed or plain message."""


class IllegalTransition(ProvisioningError):
    """A request was asked to move to a state it cannot reach from its current one."""


class PoolExhausted(ProvisioningError):
    """A pool has fewer free addresses than an allocation needs."""
