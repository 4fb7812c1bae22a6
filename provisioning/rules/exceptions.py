from provisioning.exceptions import ProvisioningError


class UnknownFormat(ProvisioningError):
    """A firewall export format that the registry does not know."""


class RuleExportFailed(ProvisioningError):
    """A firewall export could not be rendered, or failed its completeness check."""


class ExportIncomplete(RuleExportFailed):
    """A rendered file lacks a destination or port of its rule set."""


class UnsafeRuleSet(RuleExportFailed):
    """A rule set holds a value that is not in canonical form (a network with a scope ID or
    stray text that bypassed validation): no renderer may print it."""
