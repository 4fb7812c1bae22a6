"""Tell the firewall-rules side that an app's live allocations changed."""

import importlib

RULES_PUBLISHING_MODULE = "provisioning.rules.services.publishing"


def _rules_publishing():
    """Return the rule-publishing module, or None while the rules package lacks it."""
    try:
        return importlib.import_module(RULES_PUBLISHING_MODULE)
    except ModuleNotFoundError as exc:
        parents = {RULES_PUBLISHING_MODULE, RULES_PUBLISHING_MODULE.rsplit(".", 1)[0]}
        if exc.name not in parents:
            raise
        return None


def allocations_changed(*, app):
    """Publish a new rule set for ``app``; call it inside the transaction that changed
    the app's live allocations, so the rules and the allocations commit together."""
    module = _rules_publishing()
    if module is None:
        return None
    return module.rule_set_publish(app=app)
