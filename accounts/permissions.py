"""Which staff may do what to customers and apps.

Suspending a customer or disabling an app cuts its SDKs off at once, which is ops' call
(README, "Who does what"): sales may edit everything else about them.
"""

from accounts.models import App, Customer

CUSTOMER_STATUS_PERMISSION = "accounts.change_customer_status"
APP_STATUS_PERMISSION = "accounts.change_app_status"
STATUS_PERMISSIONS = {Customer: CUSTOMER_STATUS_PERMISSION, App: APP_STATUS_PERMISSION}
# Withheld from the sales group although they manage customers and apps.
OPS_ONLY_CODENAMES = frozenset(
    permission.split(".", 1)[1] for permission in STATUS_PERMISSIONS.values()
)


def actor_may_change_status(*, actor, model: type) -> bool:
    """Return whether ``actor`` may change the status of a ``model`` (Customer or App)."""
    return bool(actor and actor.is_authenticated and actor.has_perm(STATUS_PERMISSIONS[model]))
