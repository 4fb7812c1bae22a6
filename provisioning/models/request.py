from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.validators import validate_notes_length
from core.models import TimestampedModel
from provisioning.choices import OPEN_REQUEST_STATUSES, SERVED_REQUEST_STATUSES, RequestStatus
from provisioning.constants import MAX_CONCURRENCY


class ProvisioningRequest(TimestampedModel):
    """A customer's request for proxy service for one app. Its state changes only
    through the services in ``provisioning.services``."""

    app = models.ForeignKey("accounts.App", on_delete=models.PROTECT, related_name="requests")
    regions = models.ManyToManyField(
        "provisioning.Region", related_name="requests", help_text="Where the proxy is used."
    )
    isps = models.ManyToManyField(
        "provisioning.Isp",
        related_name="requests",
        blank=True,
        verbose_name="ISPs",
        help_text="Network operators to serve in domestic regions.",
    )
    concurrency = models.PositiveIntegerField(
        help_text=f"Peak concurrent users, 1 to {MAX_CONCURRENCY:,}."
    )
    notes = models.TextField(blank=True, validators=[validate_notes_length])
    status = models.CharField(
        max_length=24,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        editable=False,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(auto_now_add=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "proxy request"
        permissions = [
            ("allocate_provisioningrequest", "Can allocate, approve, suspend and revoke sets"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concurrency__gte=1, concurrency__lte=MAX_CONCURRENCY),
                name="request_concurrency_in_range",
                violation_error_message=f"Concurrency is 1 to {MAX_CONCURRENCY:,} users.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
            models.UniqueConstraint(
                fields=["app"],
                condition=models.Q(status__in=OPEN_REQUEST_STATUSES),
                name="request_one_open_per_app",
                violation_error_message="This app already has an open request.",
            ),
        ]

    def __str__(self):
        return f"Request #{self.pk} for {self.app.app_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    def clean(self):
        if self.concurrency is not None and not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ValidationError(
                {
                    "concurrency": (
                        f"Concurrency is 1 to {MAX_CONCURRENCY:,} users; "
                        f"{self.concurrency:,} is out of range."
                    )
                }
            )

    def validate_constraints(self, exclude=None):
        """Name the open request in the message when the app already has one."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            if self.app_id and "app" not in (exclude or ()):
                other = (
                    ProvisioningRequest.objects.filter(
                        app_id=self.app_id, status__in=OPEN_REQUEST_STATUSES
                    )
                    .exclude(pk=self.pk)
                    .first()
                )
                if other is not None:
                    hint = (
                        " To change its concurrency, regions or ISPs, ask for a change to "
                        "that request instead."
                        if other.status in SERVED_REQUEST_STATUSES
                        else ""
                    )
                    raise ValidationError(
                        {
                            "app": (
                                f"App {self.app.app_id} already has an open request "
                                f"(#{other.pk}, {other.get_status_display().lower()}).{hint}"
                            )
                        }
                    ) from exc
            raise


class RequestEvent(models.Model):
    """One audited change of a request: who, when, from which state to which, and why."""

    request = models.ForeignKey(
        ProvisioningRequest, on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted (a scheduled job or a task).",
    )
    from_status = models.CharField(max_length=24, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=RequestStatus.choices)
    reason = models.TextField(blank=True)
    change = models.ForeignKey(
        "provisioning.ChangeRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        help_text="The change request this event is about, if any.",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"
