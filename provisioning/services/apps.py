"""Changes to an app that its firewall rules depend on."""

from django.db import transaction

from accounts.models import App
from accounts.validators import source_networks_canonical
from provisioning.services.publishing import app_rule_set_publish


@transaction.atomic
def app_source_networks_set(*, app: App, source_networks: list[str]) -> App:
    """Set the networks the app's firewall rules allow traffic from, stored in canonical
    form, and publish the rules. Raise ValidationError keyed ``source_networks`` for a
    refused network or more than SOURCE_NETWORKS_MAX of them."""
    app.source_networks = list(source_networks)
    app.full_clean()
    app.source_networks = source_networks_canonical(app.source_networks)
    app.save(update_fields=["source_networks", "updated_at"])
    app_rule_set_publish(app=app)
    return app
