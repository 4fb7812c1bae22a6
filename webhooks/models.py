"""Webhook endpoints of customers' apps, the events delivered to them and each attempt."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.models import TimestampedModel
from webhooks.choices import DeliveryStatus, WebhookEvent
from webhooks.constants import ERROR_MAX_LENGTH, URL_MAX_LENGTH
from webhooks.destinations import url_problem


class WebhookEndpoint(TimestampedModel):
    """Where an app's events are sent, which ones, and the secret that signs them.

    The secret is kept as it was issued (``whsec_`` + base64), not hashed: every delivery
    is signed with it (HMAC), so it must be readable, like an app certificate. It is shown
    to the customer once, on creation and on rotation, and never in the admin.
    """

    app = models.ForeignKey("accounts.App", on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField("URL", max_length=URL_MAX_LENGTH)
    events = models.JSONField(default=list, help_text="The event types sent to this endpoint.")
    description = models.CharField(max_length=200, blank=True, default="")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_for_failures = models.BooleanField(
        default=False, editable=False, help_text="Disabled by the service after failed deliveries."
    )
    disabled_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that failed for good; reset by a success."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["app", "pk"]
        verbose_name = "webhook endpoint"
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="webhook_url_http",
            ),
            models.CheckConstraint(condition=~Q(events=[]), name="webhook_events_not_empty"),
            models.CheckConstraint(condition=~Q(secret=""), name="webhook_secret_set"),
            models.CheckConstraint(
                condition=Q(enabled=True) | ~Q(disabled_reason=""),
                name="webhook_disabled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(enabled=False) | Q(disabled_for_failures=False),
                name="webhook_enabled_not_failed",
            ),
            models.CheckConstraint(
                condition=Q(previous_secret="") | Q(previous_secret_expires_at__isnull=False),
                name="webhook_previous_secret_expires",
            ),
        ]

    def __str__(self):
        return f"{self.url} ({self.app.app_id})"

    def clean(self):
        super().clean()
        errors = {}
        problem = url_problem(self.url or "")
        if problem:
            errors["url"] = problem
        events = self.events if isinstance(self.events, list) else None
        if not events:
            errors["events"] = "Choose at least one event."
        elif unknown := sorted({str(e) for e in events} - set(WebhookEvent.values)):
            errors["events"] = f"Unknown event types: {', '.join(unknown)}."
        if not self.enabled and not self.disabled_reason:
            errors["disabled_reason"] = "Say why the endpoint is disabled."
        if self.enabled and self.disabled_for_failures:
            errors["enabled"] = "An endpoint disabled for failures is enabled only by clearing it."
        if errors:
            raise ValidationError(errors)


class WebhookDelivery(models.Model):
    """One event for one endpoint: the message, signed afresh at each attempt."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=64)
    message_id = models.CharField(
        max_length=64, unique=True, help_text="The webhook-id header: the same on every attempt."
    )
    payload = models.JSONField(help_text='The body: {"type", "timestamp", "data"}.')
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(default=0)
    failures_in_row = models.PositiveIntegerField(
        default=0, help_text="Failed attempts since the delivery was (re)sent: the retry step."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="webhook_delivered_at_set",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.message_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    latency_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = "webhook attempt"
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number"),
            models.CheckConstraint(
                condition=Q(succeeded=False) | Q(status_code__gte=200, status_code__lt=300),
                name="webhook_attempt_success_is_2xx",
            ),
        ]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"
