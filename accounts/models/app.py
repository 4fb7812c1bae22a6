import hashlib

from django.core.exceptions import ValidationError
from django.db import models

from accounts.choices import AppStatus
from accounts.constants import APP_ID_LENGTH, APP_ID_PATTERN
from accounts.validators import validate_app_id, validate_source_networks
from core.models import TimestampedModel

# Hex characters of a certificate's fingerprint: enough to tell an app's two certificates
# apart on a page or in the history, while revealing nothing of the secret.
CERTIFICATE_FINGERPRINT_LENGTH = 8


def certificate_fingerprint(secret: str) -> str:
    """Return a short public name of a certificate: the start of its SHA-256, never the
    secret itself; empty for no certificate."""
    if not secret:
        return ""
    return hashlib.sha256(secret.encode()).hexdigest()[:CERTIFICATE_FINGERPRINT_LENGTH]


def certificate_secrets(primary: str, secondary: str = "") -> list[str]:
    """Return the secrets that sign an app's tokens, primary first (the SDK path passes its
    row's columns; an App its fields)."""
    return [secret for secret in (primary, secondary) if secret]


class App(TimestampedModel):
    """A customer's real-time audio/video app, identified by its App ID."""

    app_id = models.CharField(
        "App ID",
        max_length=APP_ID_LENGTH,
        unique=True,
        validators=[validate_app_id],
        help_text="32 lowercase hexadecimal characters, as shown in the vendor console.",
    )
    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="apps")
    name = models.CharField(max_length=200)
    certificate = models.CharField(
        max_length=64,
        editable=False,
        help_text="Secret that signs app tokens; shown once when the app is created.",
    )
    secondary_certificate = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="A second secret whose app tokens are accepted too, while certificates "
        "rotate; shown once when generated. Empty: none.",
    )
    certificate_enabled = models.BooleanField(
        default=False,
        help_text="When on, SDKs must send an app token signed with the certificate.",
    )
    status = models.CharField(max_length=16, choices=AppStatus.choices, default=AppStatus.ACTIVE)
    source_networks = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_source_networks],
        help_text="Optional CIDRs of the customer's internal network, used as the rule source.",
    )
    source_networks_flagged = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Stored source networks that could not be made canonical (a scope ID, "
        "stray characters): taken out of the rule source; review and re-enter them.",
    )

    class Meta:
        ordering = ["customer", "name"]
        permissions = [("change_app_status", "Can disable and enable apps")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(app_id__regex=APP_ID_PATTERN), name="app_id_format"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AppStatus.values), name="app_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(secondary_certificate="")
                | ~models.Q(secondary_certificate=models.F("certificate")),
                name="app_secondary_certificate_distinct",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.app_id})"

    def clean(self):
        super().clean()
        if self.secondary_certificate and self.secondary_certificate == self.certificate:
            raise ValidationError(
                {"secondary_certificate": "The secondary certificate must differ from the primary."}
            )

    @property
    def certificates(self) -> list[str]:
        """Return the secrets whose tokens are accepted, primary first."""
        return certificate_secrets(self.certificate, self.secondary_certificate)

    @property
    def certificate_fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)

    @property
    def secondary_certificate_fingerprint(self) -> str:
        return certificate_fingerprint(self.secondary_certificate)
