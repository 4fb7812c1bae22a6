"""Who among staff may take which action on a request (the permission is in ``ACTIONS``)."""

from provisioning.services.lifecycle.actions import ACTIONS


def action_permission(action: str) -> str:
    """Return the permission a user needs to take ``action`` on a request."""
    return ACTIONS[action].permission


def actor_may_take(*, actor, action: str) -> bool:
    """Return whether ``actor`` may take ``action``; no actor is the system itself."""
    if actor is None or not actor.is_authenticated:
        return actor is None
    return actor.has_perm(action_permission(action))
