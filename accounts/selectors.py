"""Reads of customers and apps as a signed-in user may see them.

A user sees only the customers they are a member of. Anything else is "not found" (404),
never "forbidden", so that nobody learns which App IDs or keys exist elsewhere.
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from accounts.choices import CustomerStatus, SubscriptionMode
from accounts.models import ApiKey, App, Customer, FeedToken, RuleSubscription
from accounts.permissions import Ability, member_roles


def user_customers(*, user) -> QuerySet[Customer]:
    """Return the active customers ``user`` is a member of; suspended ones are out of reach."""
    if not user.is_authenticated:
        return Customer.objects.none()
    return (
        Customer.objects.filter(memberships__user=user, status=CustomerStatus.ACTIVE)
        .distinct()
        .order_by("name")
    )


def user_customers_may(*, user, ability: Ability) -> QuerySet[Customer]:
    """Return the customers for which ``user``'s role lets them do ``ability``
    (the rule in accounts/permissions.py)."""
    if not user.is_authenticated:
        return Customer.objects.none()
    return (
        user_customers(user=user)
        .filter(memberships__user=user, memberships__role__in=member_roles(ability))
        .distinct()
        .order_by("name")
    )


def customer_apps(*, customers: QuerySet[Customer] | None) -> QuerySet[App]:
    """Return the apps of ``customers`` by customer and name; None means every customer's.

    Who sees which customers is decided by the caller: a member sees their customers
    (``user_customers``) everywhere, and staff see every customer over the staff API but
    only their own in the portal.
    """
    apps = App.objects.select_related("customer").order_by("customer__name", "name", "pk")
    return apps if customers is None else apps.filter(customer__in=customers)


def user_apps(*, user) -> QuerySet[App]:
    """Return the apps of every customer ``user`` is a member of."""
    return customer_apps(customers=user_customers(user=user))


def user_app_get(*, user, app_id: str) -> App:
    """Return the app with ``app_id`` if ``user`` may see it; raise Http404 otherwise."""
    app = user_apps(user=user).filter(app_id=app_id).first()
    if app is None:
        raise Http404("No such app.")
    return app


def user_managed_app_get(*, user, app_id: str) -> App:
    """Return the app with ``app_id`` if ``user`` is an admin of its customer; raise Http404
    otherwise (viewers too: they may look, not change)."""
    customers = user_customers_may(user=user, ability=Ability.APP_MANAGE)
    app = user_apps(user=user).filter(app_id=app_id, customer__in=customers).first()
    if app is None:
        raise Http404("No such app.")
    return app


def user_api_keys(*, user) -> QuerySet[ApiKey]:
    """Return the API keys of the customers ``user`` is a member of, newest first."""
    return (
        ApiKey.objects.filter(customer__in=user_customers(user=user))
        .select_related("customer", "created_by")
        .order_by("customer__name", "-created_at")
    )


def user_api_key_get(*, user, pk: int) -> ApiKey:
    """Return the API key ``pk`` if ``user`` may manage it; raise Http404 otherwise."""
    api_key = (
        ApiKey.objects.filter(
            pk=pk, customer__in=user_customers_may(user=user, ability=Ability.API_KEYS_MANAGE)
        )
        .select_related("customer")
        .first()
    )
    if api_key is None:
        raise Http404("No such API key.")
    return api_key


def staff_group_emails(*, group_name: str) -> list[str]:
    """Return the e-mail addresses of the active members of the staff group ``group_name``."""
    members = (
        get_user_model()
        .objects.filter(groups__name=group_name, is_active=True, is_staff=True)
        .exclude(email="")
    )
    return sorted({email.strip().lower() for email in members.values_list("email", flat=True)})


def user_rule_subscription(*, user, app: App) -> RuleSubscription | None:
    """Return ``user``'s e-mail subscription to ``app``'s rule versions, if any."""
    return RuleSubscription.objects.filter(user=user, app=app).first()


def user_feed_token(*, user, app: App) -> FeedToken | None:
    """Return ``user``'s active feed token of ``app``, if any."""
    return FeedToken.objects.filter(user=user, app=app, revoked_at__isnull=True).first()


def rule_subscriptions_deliverable(*, mode: str, apps=None) -> QuerySet[RuleSubscription]:
    """Return the subscriptions in ``mode`` (of ``apps``, or every app) whose user is still
    to be e-mailed: active, with an address, and a member of the app's active customer.

    A member who leaves (or whose customer is suspended) stops receiving at once; the
    subscription waits, unused, in case they come back.
    """
    if mode not in SubscriptionMode.values:
        raise ValueError(f"Unknown subscription mode {mode!r}.")
    subscriptions = RuleSubscription.objects.filter(
        mode=mode,
        user__is_active=True,
        app__customer__status=CustomerStatus.ACTIVE,
        app__customer__memberships__user=models.F("user"),
    ).exclude(user__email="")
    if apps is not None:
        subscriptions = subscriptions.filter(app__in=apps)
    return subscriptions.select_related("user", "app").order_by("user_id", "app__name", "pk")
