"""Reads of webhook endpoints, their deliveries and attempts."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from accounts.choices import MembershipRole
from accounts.models import App, Customer
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookEndpoint


def app_webhooks(*, app: App) -> QuerySet[WebhookEndpoint]:
    """Return the app's webhook endpoints, oldest first."""
    return WebhookEndpoint.objects.filter(app=app).select_related("app").order_by("pk")


def app_webhook_get(*, app: App, pk) -> WebhookEndpoint:
    """Return the app's endpoint ``pk``; raise Http404 when the app has no such endpoint."""
    endpoint = app_webhooks(app=app).filter(pk=pk).first() if str(pk).isdigit() else None
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def endpoint_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """Return the endpoint's deliveries, newest first, with their attempts."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related("attempts")
        .order_by("-created_at", "-pk")
    )


def endpoint_delivery_get(*, endpoint: WebhookEndpoint, pk) -> WebhookDelivery:
    """Return the endpoint's delivery ``pk``; raise Http404 when it has no such delivery."""
    found = endpoint_deliveries(endpoint=endpoint).filter(pk=pk) if str(pk).isdigit() else None
    delivery = found.first() if found is not None else None
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


def subscribed_endpoints(*, app: App, event_type: str) -> list[WebhookEndpoint]:
    """Return the app's enabled endpoints that subscribe to ``event_type``."""
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(app=app, enabled=True).order_by("pk")
        if event_type in endpoint.events
    ]


def customer_admin_emails(*, customer: Customer) -> list[str]:
    """Return the e-mail addresses of the customer's active admin members."""
    emails = customer.memberships.filter(
        role=MembershipRole.ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({email.strip().lower() for email in emails if email and email.strip()})


@dataclass(frozen=True)
class FailingCustomer:
    """A customer whose webhook deliveries fail: how many, where, and since when."""

    customer: Customer
    failed: int
    retrying: int
    disabled_endpoints: int
    last_failure_at: datetime


def customers_with_failing_deliveries(*, since: datetime) -> list[FailingCustomer]:
    """Return the customers with deliveries failed or being retried since ``since``, or
    with endpoints disabled for failing (until re-enabled), the most recent first."""
    failing = (
        WebhookDelivery.objects.filter(
            created_at__gte=since, status__in=(DeliveryStatus.FAILED, DeliveryStatus.RETRYING)
        )
        .values("endpoint__app__customer", "status")
        .annotate(count=Count("pk"), last=Max("created_at"))
    )
    figures: dict[int, dict] = {}
    for row in failing:
        entry = figures.setdefault(row["endpoint__app__customer"], {"last": row["last"]})
        entry[row["status"]] = row["count"]
        entry["last"] = max(entry["last"], row["last"])
    disabled = (
        WebhookEndpoint.objects.filter(disabled_for_failures=True)
        .values("app__customer")
        .annotate(count=Count("pk"), last=Max("disabled_at"))
    )
    for row in disabled:
        entry = figures.setdefault(row["app__customer"], {"last": row["last"]})
        entry["disabled"] = row["count"]
        entry["last"] = max(entry["last"], row["last"])
    customers = Customer.objects.in_bulk(list(figures))
    rows = [
        FailingCustomer(
            customer=customers[pk],
            failed=entry.get(DeliveryStatus.FAILED, 0),
            retrying=entry.get(DeliveryStatus.RETRYING, 0),
            disabled_endpoints=entry.get("disabled", 0),
            last_failure_at=entry["last"],
        )
        for pk, entry in figures.items()
        if pk in customers
    ]
    return sorted(rows, key=lambda row: row.last_failure_at, reverse=True)
