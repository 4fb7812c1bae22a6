"""Customers' webhook endpoints and deliveries in the admin: read-only (customers change
their endpoints in the portal and the API), searchable, filterable. Secrets never show."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = (
        "url", "app", "customer", "enabled", "consecutive_failures", "disabled_at", "created_at",
    )  # fmt: skip
    list_filter = ("enabled", "disabled_for_failures")
    search_fields = ("url", "app__app_id", "app__name", "app__customer__name")
    list_select_related = ("app__customer",)
    fields = (
        "app", "url", "events", "description", "enabled", "disabled_for_failures",
        "disabled_reason", "disabled_at", "disabled_notice_sent_at", "consecutive_failures",
        "previous_secret_expires_at", "created_by", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(ordering="app__customer__name")
    def customer(self, endpoint):
        return endpoint.app.customer


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = (
        "number", "started_at", "latency_ms", "status_code", "succeeded", "error",
        "response_excerpt",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "event_type", "endpoint", "status", "attempt_count", "last_status_code",
        "next_attempt_at",
    )  # fmt: skip
    list_filter = ("status", "event_type")
    search_fields = (
        "message_id", "endpoint__url", "endpoint__app__app_id", "endpoint__app__customer__name",
    )  # fmt: skip
    list_select_related = ("endpoint__app",)
    date_hierarchy = "created_at"
    fields = (
        "endpoint", "event_type", "message_id", "status", "attempt_count", "failures_in_row",
        "next_attempt_at", "last_status_code", "last_error", "delivered_at", "created_at",
        "payload",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
