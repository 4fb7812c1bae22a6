"""Who among staff may take which action on a request: the action's rule in ``ACTIONS``,
checked by the one permission check of accounts/permissions.py."""

from accounts.permissions import RULES, Ability, staff_may
from provisioning.services.lifecycle.actions import ACTIONS


def action_ability(action: str) -> Ability:
    """Return the rule (accounts/permissions.py) that says who may take ``action``."""
    return ACTIONS[action].ability


def actor_may_take(*, actor, action: str) -> bool:
    """Return whether ``actor`` may take ``action``; no actor is the system itself."""
    if actor is None:
        return True
    return staff_may(user=actor, ability=action_ability(action))


def action_refusal(action) -> str:
    """Return the sentence that refuses ``action`` to someone who may not take it."""
    who = RULES[action_ability(action)].who
    return f"You may not {action.label.lower()}: only {who} may take it."
