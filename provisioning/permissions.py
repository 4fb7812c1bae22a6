"""Who among staff may take which action on a request.

Sales record and triage requests (they may reject one); handing out, pausing and taking
back addresses is ops' work (DESIGN.md section 2), behind its own permission.
"""

from provisioning.choices import RequestAction

ALLOCATE_CODENAME = "allocate_provisioningrequest"
ALLOCATE_PERMISSION = f"provisioning.{ALLOCATE_CODENAME}"
CHANGE_PERMISSION = "provisioning.change_provisioningrequest"

ACTIONS_NEEDING_ALLOCATE = frozenset(
    {
        RequestAction.ALLOCATE_TEST,
        RequestAction.APPROVE,
        RequestAction.SUSPEND,
        RequestAction.RESUME,
        RequestAction.REVOKE,
    }
)


def action_permission(action: str) -> str:
    """Return the permission a user needs to take ``action`` on a request."""
    return ALLOCATE_PERMISSION if action in ACTIONS_NEEDING_ALLOCATE else CHANGE_PERMISSION


def actor_may_take(*, actor, action: str) -> bool:
    """Return whether ``actor`` may take ``action``; no actor is the system itself."""
    if actor is None or not actor.is_authenticated:
        return actor is None
    return actor.has_perm(action_permission(action))
