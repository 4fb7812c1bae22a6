"""Create apps and manage their certificates."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.constants import APP_CERTIFICATE_BYTES
from accounts.models import App, Customer
from accounts.services.audit import AUDIT_CHANGE, audit_record
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


def _locked(app: App) -> App:
    """Return ``app`` re-read under a row lock, so two admins rotating at once take turns
    and neither change is lost."""
    locked = App.objects.select_for_update().get(pk=app.pk)
    app.certificate = locked.certificate
    app.secondary_certificate = locked.secondary_certificate
    return app


def _save_certificates(app: App, *, actor, message: str) -> None:
    # Only the certificates are checked: a stored value elsewhere that today's validators
    # would refuse must not block a rotation.
    certificate_fields = {"certificate", "secondary_certificate"}
    app.full_clean(exclude=[f.name for f in App._meta.fields if f.name not in certificate_fields])
    app.save(update_fields=["certificate", "secondary_certificate", "updated_at"])
    audit_record(actor=actor, obj=app, action_flag=AUDIT_CHANGE, message=message)


@transaction.atomic
def app_secondary_certificate_generate(*, app: App, actor) -> str:
    """Give the app a secondary certificate and return it (shown only this once).

    Tokens signed with either certificate are accepted from now on. An app has at most one
    secondary: a second one would silently drop the first while tokens may be in flight.
    """
    _locked(app)
    if app.secondary_certificate:
        raise ValidationError(
            {
                "secondary_certificate": "This app already has a secondary certificate "
                f"({app.secondary_certificate_fingerprint}); promote or remove it first."
            }
        )
    app.secondary_certificate = _new_certificate()
    message = f"Generated secondary app certificate {app.secondary_certificate_fingerprint}."
    _save_certificates(app, actor=actor, message=message)
    return app.secondary_certificate


@transaction.atomic
def app_secondary_certificate_promote(*, app: App, actor) -> None:
    """Make the secondary certificate the primary; the old primary becomes the secondary,
    so tokens signed with it keep working until it is removed."""
    _locked(app)
    if not app.secondary_certificate:
        raise ValidationError(
            {"secondary_certificate": "This app has no secondary certificate to promote."}
        )
    app.certificate, app.secondary_certificate = app.secondary_certificate, app.certificate
    message = (
        f"Promoted app certificate {app.certificate_fingerprint} to primary; "
        f"{app.secondary_certificate_fingerprint} is now the secondary."
    )
    _save_certificates(app, actor=actor, message=message)


@transaction.atomic
def app_secondary_certificate_remove(*, app: App, actor) -> str:
    """Remove the secondary certificate and return its fingerprint: tokens signed with it
    are refused from now on."""
    _locked(app)
    if not app.secondary_certificate:
        raise ValidationError(
            {"secondary_certificate": "This app has no secondary certificate to remove."}
        )
    fingerprint = app.secondary_certificate_fingerprint
    app.secondary_certificate = ""
    message = f"Removed secondary app certificate {fingerprint}; its tokens are refused."
    _save_certificates(app, actor=actor, message=message)
    return fingerprint
