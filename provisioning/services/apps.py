"""Changes to an app that its firewall rules depend on."""

from django.db import transaction

from accounts.models import App
from provisioning.services.publishing import app_rule_set_publish


@transaction.atomic
def app_source_networks_set(*, app: App, source_networks: list[str]) -> App:
    """Set the networks the app's firewall rules allow traffic from, and publish the rules."""
    app.source_networks = list(source_networks)
    app.full_clean()
    app.save(update_fields=["source_networks", "updated_at"])
    app_rule_set_publish(app=app)
    return app
