from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = "Provisioning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from provisioning.fields import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="provisioning_sqlite")
