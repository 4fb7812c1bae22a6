"""Keep the staff groups and their model permissions in place."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.constants import OPS_GROUP, SALES_GROUP
from accounts.permissions import OPS_ONLY_CODENAMES

# Sales record customers, their apps and proxy requests, and answer questions about the
# firewall rules those requests publish (read-only in the admin).
SALES_MODELS = {
    "accounts": [
        "customer",
        "membership",
        "app",
        "apikey",
        # Members' rule-version subscriptions, feed links and the e-mails sent (read-only).
        "rulesubscription",
        "feedtoken",
        "subscriptionnotice",
    ],
    "provisioning": [
        "provisioningrequest",
        "requestevent",
        "changerequest",
        "requestactionrun",
        # What customers' connectivity checks found (read-only in the admin).
        "connectivityreport",
        "connectivityresult",
    ],
    # Rule sets are read-only; staff write the notes customers read with each version.
    "rules": ["ruleset", "ruleentry", "rulechange", "ruleexport", "rulesetnote"],
    # Customers' webhook endpoints and their delivery logs (read-only in the admin).
    "webhooks": ["webhookendpoint", "webhookdelivery", "webhookattempt"],
}
# Ops do what sales do, plus pools, reference data and allocation.
OPS_MODELS = {
    "accounts": SALES_MODELS["accounts"],
    "provisioning": SALES_MODELS["provisioning"]
    + [
        "region",
        "isp",
        "portprofile",
        "portrange",
        "proxypool",
        "poolprefix",
        "excludedaddress",
        "allocation",
        "allocatedendpoint",
        "sentnotice",
    ],
    "rules": SALES_MODELS["rules"],
    "webhooks": SALES_MODELS["webhooks"],
    "django_celery_results": ["taskresult"],
    # The outbox: tasks waiting for the broker.
    "core": ["outboxmessage"],
    # Sign-in lockouts: ops see who is locked out and lift a lockout by deleting it.
    "axes": ["accessattempt"],
}
STAFF_GROUPS = {SALES_GROUP: SALES_MODELS, OPS_GROUP: OPS_MODELS}
# Handing out and taking back addresses, suspending customers and disabling apps are ops'
# work even on the models sales manage (the rules marked ops-only in accounts/permissions.py).
WITHHELD = {SALES_GROUP: OPS_ONLY_CODENAMES}
# Both look up portal users (the membership user picker) but change them only through
# invitations, never by hand.
VIEW_ONLY = {"auth": ["user"]}


def _permissions_for(models_by_app: dict[str, list[str]]):
    permissions = Permission.objects.none()
    for app_label, model_names in models_by_app.items():
        permissions = permissions | Permission.objects.filter(
            content_type__app_label=app_label, content_type__model__in=model_names
        )
    return permissions


@transaction.atomic
def staff_groups_sync() -> dict[str, int]:
    """Create the ``sales`` and ``ops`` groups and give each exactly its permissions."""
    counts = {}
    for group_name, models_by_app in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = list(
            _permissions_for(models_by_app).exclude(codename__in=WITHHELD.get(group_name, ()))
        ) + list(_permissions_for(VIEW_ONLY).filter(codename__startswith="view_"))
        group.permissions.set(permissions)
        counts[group_name] = len(permissions)
    return counts
