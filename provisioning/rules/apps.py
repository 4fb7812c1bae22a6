from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RulesConfig(AppConfig):
    """Firewall rule sets (versioned whitelists per app) and their rendered exports."""

    name = "provisioning.rules"
    label = "rules"
    verbose_name = "Firewall rules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from provisioning.signals import sync_staff_groups

        # This app migrates after accounts and provisioning: once its permissions exist,
        # every permission the staff groups hold does.
        post_migrate.connect(sync_staff_groups, sender=self, dispatch_uid="staff_groups")
