from provisioning.exceptions import ProvisioningError


class UnknownFormat(ProvisioningError):
    """A firewall export format that the registry does not know."""


class RuleExportFailed(ProvisioningError):
    """A firewall export could not be rendered, or failed its completeness check."""


class ExportIncomplete(RuleExportFailed):
    """A rendered file lacks a destination or port of its rule set."""
