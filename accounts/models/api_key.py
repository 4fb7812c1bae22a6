from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.choices import ApiKeyScope
from accounts.validators import validate_api_key_scopes
from core.models import TimestampedModel


class ApiKey(TimestampedModel):
    """A customer's API key. Only a hash of the secret is kept; the key is shown once."""

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. 'firewall sync'.")
    prefix = models.CharField(
        max_length=16, unique=True, editable=False, help_text="Public part that identifies the key."
    )
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(
        default=list,
        validators=[validate_api_key_scopes],
        help_text=f"Any of: {', '.join(ApiKeyScope.values)}.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["customer", "-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
