from django.db import models

from accounts.choices import AppStatus
from accounts.constants import APP_ID_LENGTH, APP_ID_PATTERN
from accounts.validators import validate_app_id, validate_source_networks
from core.models import TimestampedModel


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
        ]

    def __str__(self):
        return f"{self.name} ({self.app_id})"
