"""Members choose how they hear of an app's new rule versions: at once, daily or not."""

from django.db import transaction

from accounts.choices import SubscriptionMode
from accounts.models import App, RuleSubscription
from accounts.services.audit import AUDIT_CHANGE, audit_record


@transaction.atomic
def rule_subscription_set(*, user, app: App, mode: str | None) -> RuleSubscription | None:
    """Set ``user``'s e-mail subscription to ``app``'s rule versions to ``mode``
    (immediate or daily), or end it with None; return the subscription, if any.

    The caller has checked that ``user`` may see ``app``. Each change is in the app's
    history; setting the mode it already has records nothing.
    """
    current = RuleSubscription.objects.select_for_update().filter(user=user, app=app).first()
    if mode is None:
        if current is not None:
            current.delete()
            _audit(user, app, "Unsubscribed from e-mails about new rule versions.")
        return None
    subscription = current or RuleSubscription(user=user, app=app)
    if current is not None and current.mode == mode:
        return current
    subscription.mode = mode
    subscription.full_clean()
    subscription.save()
    label = SubscriptionMode(mode).label.lower()
    _audit(user, app, f"Subscribed to e-mails about new rule versions: {label}.")
    return subscription


def _audit(user, app: App, message: str) -> None:
    who = user.get_username()
    audit_record(actor=user, obj=app, action_flag=AUDIT_CHANGE, message=f"{message} ({who})")
