from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = "Provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from provisioning.fields import register_sqlite_functions
        from provisioning.signals import sync_staff_groups

        connection_created.connect(register_sqlite_functions, dispatch_uid="provisioning_sqlite")
        # This app migrates after accounts and rules, which rank below it in INSTALLED_APPS:
        # once its permissions exist, every permission the staff groups hold does.
        post_migrate.connect(sync_staff_groups, sender=self, dispatch_uid="staff_groups")
