"""Tell the firewall-rules side that an app's live allocations changed."""


def allocations_changed(*, app):
    """Publish a new rule set for ``app``; call it inside the transaction that changed
    the app's live allocations, so the rules and the allocations commit together."""
    # Imported here: rule publishing reads the allocation selectors, which import the
    # allocation services that call this function.
    from rules.services.publishing import rule_set_publish

    return rule_set_publish(app=app)
