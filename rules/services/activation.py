"""The activation gate (make-before-break): a version's new addresses reach SDKs only once
the customer's firewall allows them.

Every published version gets an activation with an ``effective_at``: publication time plus
``ACTIVATION_DELAY_PRODUCTION`` hours when it adds production entries (plus
``ACTIVATION_DELAY_TEST``, default none, otherwise), and never before a still-pending earlier
version, whose additions it carries. A version takes effect at ``effective_at`` or when the
customer acknowledges it (portal, API or a passing connectivity report), whichever comes
first; taking effect supersedes every earlier version, bumps the app's SDK generation and
announces ``rules.version_effective``. Staff may bring a pending version forward, with a
reason. Removed addresses need no gate: they leave the live set, and so the SDK config, at
once.
"""

import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import App
from accounts.services.audit import AUDIT_CHANGE, audit_record
from accounts.services.sdk_generations import sdk_config_changed
from core.locks import advisory_lock
from rules.choices import AcknowledgementSource, ChangeDisposition, Environment
from rules.models import RuleChange, RuleSet, RuleSetActivation
from rules.selectors import rule_set_get

logger = logging.getLogger(__name__)


def rule_set_lock_name(*, app: App) -> str:
    """Return the name of the lock that serializes the publications of ``app`` and the
    activations of its versions."""
    return f"rules.rule_set_publish:{app.pk}"


def _lock(app: App) -> None:
    # A version is never activated while a newer one is being written.
    advisory_lock(rule_set_lock_name(app=app))


def _pending(app: App, now: datetime):
    return RuleSetActivation.objects.filter(
        rule_set__app=app,
        activated_at__isnull=True,
        acknowledged_at__isnull=True,
        effective_at__gt=now,
    )


def rule_set_activation_create(
    *, rule_set: RuleSet, changes: list[RuleChange]
) -> RuleSetActivation:
    """Create the activation of a version being published with ``changes`` (unsaved), and
    date its additions to when they reach SDKs. Call it inside the publication."""
    now = rule_set.created_at
    adds_production = any(
        change.disposition == ChangeDisposition.ADDED
        and change.environment == Environment.PRODUCTION
        for change in changes
    )
    hours = settings.ACTIVATION_DELAY_PRODUCTION if adds_production else 0
    hours = max(hours, settings.ACTIVATION_DELAY_TEST)
    # Whole seconds, as every answer that shows the date gives it.
    effective_at = (now + timedelta(hours=hours)).replace(microsecond=0) if hours else now
    carried = _pending(rule_set.app, now).order_by("-effective_at").first()
    if carried is not None:
        effective_at = max(effective_at, carried.effective_at)
    activation = RuleSetActivation(rule_set=rule_set, effective_at=effective_at)
    activation.full_clean(exclude=["rule_set"])
    activation.save()
    for change in changes:
        if change.disposition == ChangeDisposition.ADDED:
            change.effective_at = effective_at
    if effective_at <= now:
        _take_effect(activation=activation, now=now)
    return activation


def _take_effect(*, activation: RuleSetActivation, now: datetime) -> None:
    """Mark ``activation``'s version, and every earlier one not yet in effect, as in effect;
    tell the SDK endpoint and announce the version."""
    rule_set = activation.rule_set
    RuleSetActivation.objects.filter(
        rule_set__app_id=rule_set.app_id,
        rule_set__version__lte=rule_set.version,
        activated_at__isnull=True,
    ).update(activated_at=now)
    activation.activated_at = now
    sdk_config_changed(app_ids=[rule_set.app.app_id])
    logger.info("Rule set %s v%s took effect", rule_set.app.app_id, rule_set.version)


def _actor(user, api_key):
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return SimpleNamespace(api_key=api_key) if api_key is not None else None


@transaction.atomic
def rule_version_acknowledge(
    app: App, version: str, *, source: str, user=None, api_key=None
) -> RuleSetActivation:
    """Record that ``app``'s firewall allows rule set ``version``: the version takes effect
    now unless it already has. ``source`` is an AcknowledgementSource; ``user`` or
    ``api_key`` says who. Idempotent. Raise RuleSet.DoesNotExist for an unknown version."""
    if source not in AcknowledgementSource.values:
        raise ValidationError({"source": f"Unknown acknowledgement source {source!r}."})
    _lock(app)
    rule_set = rule_set_get(app=app, version=version)
    now = timezone.now()
    activation, _ = RuleSetActivation.objects.select_for_update().get_or_create(
        rule_set=rule_set, defaults={"effective_at": rule_set.created_at}
    )
    if activation.acknowledged_at is not None:
        return activation
    activation.acknowledged_at = now
    activation.acknowledged_source = source
    activation.acknowledged_by = user if getattr(user, "pk", None) else None
    activation.acknowledged_api_key = api_key
    activation.full_clean(exclude=["rule_set"])
    activation.save()
    if activation.activated_at is None:
        _take_effect(activation=activation, now=now)
    audit_record(
        actor=_actor(user, api_key),
        obj=activation,
        action_flag=AUDIT_CHANGE,
        message=f"Acknowledged rule set version {version} "
        f"({activation.get_acknowledged_source_display()}).",
    )
    return activation


@transaction.atomic
def rule_set_activation_shorten(
    *, app: App, effective_at: datetime, actor, reason: str
) -> list[RuleSetActivation]:
    """Bring ``app``'s pending versions forward to ``effective_at`` (never before their
    publication); one at or before now takes effect at once. Return those changed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the effective date is brought forward."})
    _lock(app)
    now = timezone.now()
    pending = list(
        _pending(app, now)
        .filter(effective_at__gt=effective_at)
        .select_for_update(of=("self",))
        .select_related("rule_set__app")
        .order_by("rule_set__version")
    )
    for activation in pending:
        before = activation.effective_at
        activation.effective_at = max(effective_at, activation.rule_set.created_at)
        activation.shortened_at, activation.shortened_by = now, actor
        activation.shortened_reason = reason
        activation.full_clean(exclude=["rule_set"])
        activation.save()
        audit_record(
            actor=actor,
            obj=activation,
            action_flag=AUDIT_CHANGE,
            message=f"Effective date of version {activation.rule_set.version} brought forward "
            f"from {before:%Y-%m-%d %H:%M} to {activation.effective_at:%Y-%m-%d %H:%M} UTC: "
            f"{reason}",
        )
    due = [activation for activation in pending if activation.effective_at <= now]
    if due:
        _take_effect(activation=due[-1], now=now)
    elif pending:
        sdk_config_changed(app_ids=[app.app_id])
    return pending


def rule_set_activations_due(*, now: datetime | None = None) -> int:
    """Let every version whose effective date has passed take effect (beat); return how
    many apps had one. A run that finds the work done changes nothing."""
    now = now or timezone.now()
    due = RuleSetActivation.objects.filter(activated_at__isnull=True).filter(
        Q(effective_at__lte=now) | Q(acknowledged_at__isnull=False)
    )
    app_ids = set(due.values_list("rule_set__app_id", flat=True))
    return sum(_app_take_effect(app_pk=pk, now=now) for pk in sorted(app_ids))


@transaction.atomic
def _app_take_effect(*, app_pk: int, now: datetime) -> bool:
    app = App.objects.get(pk=app_pk)
    _lock(app)
    newest = (
        RuleSetActivation.objects.filter(rule_set__app=app, activated_at__isnull=True)
        .filter(Q(effective_at__lte=now) | Q(acknowledged_at__isnull=False))
        .select_related("rule_set__app")
        .order_by("-rule_set__version")
        .first()
    )
    if newest is None:
        return False
    _take_effect(activation=newest, now=now)
    return True
