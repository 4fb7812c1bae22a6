from django.apps import AppConfig


class RulesConfig(AppConfig):
    """Firewall rule sets (versioned whitelists per app) and their rendered exports."""

    name = "rules"
    label = "rules"
    verbose_name = "Firewall rules"
    default_auto_field = "django.db.models.BigAutoField"
