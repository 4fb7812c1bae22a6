from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from accounts.validators import validate_notes_length
from core.models import TimestampedModel
from provisioning.choices import OPEN_CHANGE_STATUSES, ChangeStatus
from provisioning.constants import MAX_CONCURRENCY


class ChangeRequest(TimestampedModel):
    """A request to change the concurrency, regions or ISPs of a live proxy request.

    It holds the sizing asked for; sales review it, ops approve it, and approval resizes
    the request's live set. Its state changes only through ``provisioning.services``.
    """

    request = models.ForeignKey(
        "provisioning.ProvisioningRequest", on_delete=models.PROTECT, related_name="changes"
    )
    concurrency = models.PositiveIntegerField(
        help_text=f"Peak concurrent users asked for, 1 to {MAX_CONCURRENCY:,}."
    )
    regions = models.ManyToManyField(
        "provisioning.Region", related_name="change_requests", help_text="Regions asked for."
    )
    isps = models.ManyToManyField(
        "provisioning.Isp",
        related_name="change_requests",
        blank=True,
        verbose_name="ISPs",
        help_text="ISPs asked for (domestic regions only).",
    )
    summary = models.CharField(
        max_length=500, editable=False, help_text="What changes, against the sizing when asked."
    )
    notes = models.TextField(blank=True, validators=[validate_notes_length])
    status = models.CharField(
        max_length=16,
        choices=ChangeStatus.choices,
        default=ChangeStatus.SUBMITTED,
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
        ordering = ["-created_at", "-pk"]
        verbose_name = "change request"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concurrency__gte=1, concurrency__lte=MAX_CONCURRENCY),
                name="change_concurrency_in_range",
                violation_error_message=f"Concurrency is 1 to {MAX_CONCURRENCY:,} users.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ChangeStatus.values), name="change_status_valid"
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status__in=OPEN_CHANGE_STATUSES),
                name="change_one_open_per_request",
                violation_error_message="This request already has an open change.",
            ),
        ]

    def __str__(self):
        return f"Change #{self.pk} of request #{self.request_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHANGE_STATUSES

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
