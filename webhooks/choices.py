from django.db import models


class WebhookEvent(models.TextChoices):
    """What an endpoint may subscribe to."""

    RULES_VERSION_PUBLISHED = "rules.version_published", "A rule set version is published"
    RULES_VERSION_EFFECTIVE = "rules.version_effective", "A rule set version takes effect"
    REQUEST_STATUS_CHANGED = "request.status_changed", "A proxy request changes status"
    CREDENTIALS_EXPIRING = "credentials.expiring", "Something the app relies on ends soon"


# Sent only by "send test event", whatever the endpoint subscribes to.
TEST_EVENT = "webhook.test"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


# Deliveries that still have an attempt ahead of them.
OPEN_DELIVERY_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)
