from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save

# What an app's SDK entry is built from (provisioning/sdk/entry.py): per app, and shared.
SDK_APP_SOURCES = (
    "accounts.App",
    "accounts.Customer",
    "provisioning.ProvisioningRequest",
    "provisioning.Allocation",
    "provisioning.AllocatedEndpoint",
    "rules.RuleSet",
)
SDK_SHARED_SOURCES = ("provisioning.ProxyPool", "provisioning.Region", "provisioning.Isp")


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = "Provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from provisioning.fields import register_sqlite_functions
        from provisioning.signals import (
            rule_set_took_effect_report,
            sdk_app_source_changed,
            sdk_shared_source_changed,
            sync_staff_groups,
        )
        from rules.events import rule_set_took_effect

        connection_created.connect(register_sqlite_functions, dispatch_uid="provisioning_sqlite")
        # This app migrates after accounts and rules, which rank below it in INSTALLED_APPS:
        # once its permissions exist, every permission the staff groups hold does.
        post_migrate.connect(sync_staff_groups, sender=self, dispatch_uid="staff_groups")
        # Saves and deletes of what the SDK endpoint serves bump its cache generations;
        # services that write in bulk bump them themselves.
        for signal in (post_save, post_delete):
            for label in SDK_APP_SOURCES:
                signal.connect(sdk_app_source_changed, sender=label, dispatch_uid=f"sdk-{label}")
            for label in SDK_SHARED_SOURCES:
                signal.connect(sdk_shared_source_changed, sender=label, dispatch_uid=f"sdk-{label}")
        rule_set_took_effect.connect(rule_set_took_effect_report, dispatch_uid="rules-effective")
