"""Create apps and manage their certificates."""

import secrets

from django.db import transaction

from accounts.constants import APP_CERTIFICATE_BYTES
from accounts.models import App, Customer
from accounts.validators import source_networks_canonical


def _new_certificate() -> str:
    return secrets.token_hex(APP_CERTIFICATE_BYTES)


@transaction.atomic
def app_create(
    *,
    customer: Customer,
    app_id: str,
    name: str,
    certificate_enabled: bool = False,
    source_networks: list[str] | None = None,
) -> tuple[App, str]:
    """Create an app and return it with its certificate, which is shown only this once."""
    certificate = _new_certificate()
    app = App(
        customer=customer,
        app_id=app_id,
        name=name,
        certificate=certificate,
        certificate_enabled=certificate_enabled,
        source_networks=source_networks or [],
    )
    app.full_clean()
    app.source_networks = source_networks_canonical(app.source_networks)
    app.save()
    return app, certificate


@transaction.atomic
def app_certificate_rotate(*, app: App) -> str:
    """Replace the app's certificate and return the new one (shown only this once)."""
    app.certificate = _new_certificate()
    app.save(update_fields=["certificate", "updated_at"])
    return app.certificate
