"""E-mail members who subscribed to an app's rule versions: one e-mail per new version
(immediate), or one e-mail a day listing every subscribed app that changed (daily digest).

Each e-mail is claimed first (``SubscriptionNotice``, keyed by the version or the day and
the user) in the transaction that sends it: a failed send leaves no claim, so the next
try sends it; a task delivered twice or a job run twice sends nothing new. Recipients are
read when sending: a member who left, or whose customer was suspended, gets nothing.
"""

import logging
import smtplib
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.choices import SubscriptionMode, SubscriptionNoticeKind
from accounts.models import RuleSubscription, SubscriptionNotice
from accounts.selectors import rule_subscriptions_deliverable
from core.queue import enqueue_on_commit
from rules.change_text import activation_text, change_headline, change_lines
from rules.feed import FIRST_VERSION, changes_page_path
from rules.models import RuleSet
from rules.selectors import rule_set_versions_changes, rule_sets_published

logger = logging.getLogger(__name__)

# Registered name of rules.tasks.rule_set_notice_task.
NOTICE_TASK = "rules.tasks.rule_set_notice_task"


def absolute_url(path: str) -> str:
    """Return ``path`` as a link customers can follow from an e-mail."""
    return f"{settings.PUBLIC_BASE_URL}{path}"


def rule_set_notice_queue(*, rule_set: RuleSet) -> None:
    """Queue the "new version" e-mails of ``rule_set`` once the transaction commits, if
    anybody asked for them."""
    immediate = RuleSubscription.objects.filter(
        app_id=rule_set.app_id, mode=SubscriptionMode.IMMEDIATE
    )
    if immediate.exists():
        enqueue_on_commit(NOTICE_TASK, kwargs={"rule_set_id": rule_set.pk})


def _version_context(version_changes) -> dict:
    rule_set = version_changes.rule_set
    app_id = rule_set.app.app_id
    since = version_changes.previous or FIRST_VERSION
    changes = reverse("api:rule-changes", kwargs={"app_id": app_id})
    download = reverse("api:rule-download", kwargs={"app_id": app_id, "version": rule_set.version})
    return {
        "app": rule_set.app,
        "rule_set": rule_set,
        "previous": version_changes.previous,
        "headline": change_headline(version_changes.changes),
        "activation": activation_text(
            version_changes.activation, version=rule_set.version, now=timezone.now()
        ),
        "lines": change_lines(version_changes.changes),
        "page_url": absolute_url(changes_page_path(app_id, version_changes.previous)),
        "rules_url": absolute_url(reverse("portal_app_detail", args=[app_id])) + "#rules",
        "changes_url": absolute_url(f"{changes}?since={since}"),
        "download_url": absolute_url(f"{download}?format=json"),
        "manage_url": absolute_url(reverse("portal_app_subscription", args=[app_id])),
    }


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"email/{template}_subject.txt", context)
    return " ".join(subject.split()), render_to_string(f"email/{template}.txt", context)


def _deliver(*, user, kind: str, key: str, versions: list, subject: str, body: str) -> int:
    """Claim and send one e-mail; return 1 when it went out, 0 when it had been sent.

    A refused or failed send is logged and leaves no claim (the next digest run tries it
    again), so one bad address never holds up the other members' e-mails.
    """
    try:
        with transaction.atomic():
            _, created = SubscriptionNotice.objects.get_or_create(
                key=key, defaults={"user": user, "kind": kind, "versions": versions}
            )
            if not created:
                return 0
            return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not e-mail %s about new rule versions (%s).", user.email, key)
        return 0


def rule_set_notices_send(*, rule_set_id: int) -> int:
    """E-mail each immediate subscriber of the version's app about it once; return how
    many e-mails went out."""
    rule_set = RuleSet.objects.select_related("app").get(pk=rule_set_id)
    (version_changes,) = rule_set_versions_changes(rule_sets=[rule_set])
    subject, body = _render("rules_version", _version_context(version_changes))
    subscriptions = rule_subscriptions_deliverable(
        mode=SubscriptionMode.IMMEDIATE, apps=[rule_set.app]
    )
    sent = 0
    for subscription in subscriptions:
        sent += _deliver(
            user=subscription.user,
            kind=SubscriptionNoticeKind.VERSION,
            key=f"version:{rule_set.pk}:user:{subscription.user_id}",
            versions=[[rule_set.app.app_id, rule_set.version]],
            subject=subject,
            body=body,
        )
    return sent


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def rule_digests_send(*, now: datetime | None = None) -> dict:
    """E-mail each daily subscriber one digest of yesterday's (UTC) versions of their
    apps, once; nobody whose apps did not change gets one. Return the day and the count."""
    day = ((now or timezone.now()).astimezone(UTC) - timedelta(days=1)).date()
    start, end = _day_bounds(day)
    subscriptions = list(rule_subscriptions_deliverable(mode=SubscriptionMode.DAILY))
    apps_by_user = defaultdict(list)
    for subscription in subscriptions:
        apps_by_user[subscription.user].append(subscription.app_id)
    published = list(
        rule_sets_published(apps={s.app_id for s in subscriptions}, start=start, end=end)
    )
    contexts = {
        vc.rule_set.pk: _version_context(vc)
        for vc in rule_set_versions_changes(rule_sets=published)
    }
    sent = 0
    for user, app_ids in apps_by_user.items():
        versions = [contexts[r.pk] for r in published if r.app_id in app_ids]
        if versions:
            sent += _digest_send(user=user, day=day, versions=versions)
    return {"day": day.isoformat(), "sent": sent}


def _digest_send(*, user, day: date, versions: list[dict]) -> int:
    apps = list(dict.fromkeys(context["app"] for context in versions))
    context = {"day": day, "versions": versions, "apps": apps}
    subject, body = _render("rules_digest", context)
    return _deliver(
        user=user,
        kind=SubscriptionNoticeKind.DIGEST,
        key=f"digest:{day.isoformat()}:user:{user.pk}",
        versions=[[c["app"].app_id, c["rule_set"].version] for c in versions],
        subject=subject,
        body=body,
    )
