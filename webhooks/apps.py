from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Customers' webhook endpoints per app, the events sent to them and every attempt."""

    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"
