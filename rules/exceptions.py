from django.core.exceptions import ValidationError


class RulesError(ValidationError):
    """Base of the firewall-rules domain errors; each carries a field-keyed or plain message."""


class UnknownFormat(RulesError):
    """A firewall export format that the registry does not know."""


class RuleExportFailed(RulesError):
    """A firewall export could not be rendered, or failed its completeness check."""


class ExportIncomplete(RuleExportFailed):
    """A rendered file lacks a destination or port of its rule set."""


class RuleSetVersionTaken(RulesError):
    """A concurrent publication took the version number first; nothing was published."""


class UnsafeRuleSet(RuleExportFailed):
    """A rule set holds a value that is not in canonical form (a network with a scope ID or
    stray text that bypassed validation): no renderer may print it."""
