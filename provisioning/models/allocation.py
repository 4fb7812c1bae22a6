from django.db import models

from core.models import TimestampedModel
from provisioning.addresses import address_sort_key
from provisioning.choices import (
    LIVE_ALLOCATION_STATUSES,
    AllocationKind,
    AllocationStatus,
    PoolRole,
)
from provisioning.querysets import AllocatedEndpointQuerySet, AllocationQuerySet

# The length of ``address_sort_key``: "4" or "6" then the address as 32 hex digits.
ADDRESS_KEY_LENGTH = 33


class Allocation(TimestampedModel):
    """A set of proxy addresses and ports given to a request: the shared test set, or a
    dedicated production set. It is a snapshot: later pool changes don't alter it."""

    request = models.ForeignKey(
        "provisioning.ProvisioningRequest", on_delete=models.PROTECT, related_name="allocations"
    )
    kind = models.CharField(max_length=16, choices=AllocationKind.choices)
    status = models.CharField(
        max_length=16,
        choices=AllocationStatus.choices,
        default=AllocationStatus.PENDING,
        db_index=True,
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When a test set ends, or when it is handed over."
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the allocation failed.")
    last_reminder_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="Days before expiry of the last reminder e-mail sent, so none is sent twice.",
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AllocationKind.values), name="allocation_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AllocationStatus.values),
                name="allocation_status_valid",
            ),
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=models.Q(status__in=LIVE_ALLOCATION_STATUSES),
                name="allocation_one_live_per_kind",
                violation_error_message="The request already has a live allocation of this kind.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} allocation #{self.pk} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_ALLOCATION_STATUSES


class AllocatedEndpoint(models.Model):
    """One address of an allocation, with the ports copied from its pool's profile."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="endpoints")
    pool = models.ForeignKey(
        "provisioning.ProxyPool", on_delete=models.PROTECT, related_name="endpoints"
    )
    address = models.GenericIPAddressField(unpack_ipv4=True)
    address_key = models.CharField(
        max_length=ADDRESS_KEY_LENGTH, editable=False, help_text="Sortable form of the address."
    )
    role = models.CharField(max_length=8, choices=PoolRole.choices)
    region = models.ForeignKey(
        "provisioning.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    isp = models.ForeignKey(
        "provisioning.Isp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ISP",
    )
    ports = models.JSONField(
        default=list,
        help_text='Snapshot of the profile: [{"protocol", "port_start", "port_end", "purpose"}].',
    )
    dedicated = models.BooleanField(
        default=False,
        help_text="Held by this allocation alone (production proxy addresses).",
    )
    live = models.BooleanField(
        default=True, help_text="Mirrors the allocation: pending or active.", db_index=True
    )
    released_at = models.DateTimeField(null=True, blank=True)

    objects = AllocatedEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "role", "address_key"]
        indexes = [models.Index(fields=["address_key"], name="endpoint_address_key_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["address"],
                condition=models.Q(dedicated=True, live=True),
                name="endpoint_address_held_once",
                violation_error_message="This address is already held by another live allocation.",
            ),
            models.UniqueConstraint(
                fields=["allocation", "address", "role"], name="endpoint_unique_in_allocation"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=PoolRole.values), name="endpoint_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.address} ({self.role})"

    def save(self, *args, **kwargs):
        self.address_key = address_sort_key(self.address)
        super().save(*args, **kwargs)
