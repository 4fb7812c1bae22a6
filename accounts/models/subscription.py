"""Who hears of an app's new rule versions: e-mail subscriptions, feed tokens, and the
notices already sent."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.choices import SubscriptionMode, SubscriptionNoticeKind
from core.models import TimestampedModel


class RuleSubscription(TimestampedModel):
    """A member's wish to be e-mailed about an app's new rule versions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rule_subscriptions"
    )
    app = models.ForeignKey(
        "accounts.App", on_delete=models.CASCADE, related_name="rule_subscriptions"
    )
    mode = models.CharField(max_length=16, choices=SubscriptionMode.choices)

    class Meta:
        ordering = ["app", "user"]
        verbose_name = "rule subscription"
        constraints = [
            models.UniqueConstraint(fields=["user", "app"], name="rulesubscription_unique_user"),
            models.CheckConstraint(
                condition=models.Q(mode__in=SubscriptionMode.values),
                name="rulesubscription_mode_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} \u2192 {self.app} ({self.mode})"

    def clean(self):
        super().clean()
        if self.mode not in SubscriptionMode.values:
            raise ValidationError({"mode": "Choose immediately or a daily digest."})


class FeedToken(models.Model):
    """A secret in a member's feed URL of one app. Only a hash is kept; shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    app = models.ForeignKey("accounts.App", on_delete=models.CASCADE, related_name="feed_tokens")
    prefix = models.CharField(
        max_length=16, unique=True, editable=False, help_text="Public part that identifies it."
    )
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["app", "user", "-created_at"]
        verbose_name = "feed token"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "app"],
                condition=models.Q(revoked_at__isnull=True),
                name="feedtoken_one_active_per_user",
            ),
        ]

    def __str__(self):
        return f"feed token {self.prefix}\u2026 of {self.app}"

    def clean(self):
        super().clean()
        if self.revoked_at is None and self.app_id and self.user_id:
            active = FeedToken.objects.filter(
                user_id=self.user_id, app_id=self.app_id, revoked_at__isnull=True
            ).exclude(pk=self.pk)
            if active.exists():
                raise ValidationError({"app": "You already have a feed link for this app."})


class SubscriptionNotice(models.Model):
    """An e-mail about new rule versions that went out to one user.

    Keyed by what it is about (one version, or one day's digest), so a task delivered
    again or a job run twice never e-mails the user a second time.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription_notices"
    )
    kind = models.CharField(max_length=16, choices=SubscriptionNoticeKind.choices)
    key = models.CharField(max_length=100, unique=True, help_text="What the e-mail was about.")
    versions = models.JSONField(default=list, blank=True, help_text="App ID and version pairs.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = "subscription notice"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SubscriptionNoticeKind.values),
                name="subscriptionnotice_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.kind} notice {self.key}"
