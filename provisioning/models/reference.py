from django.core.exceptions import ValidationError
from django.db import models

from provisioning.choices import PortPurpose, Protocol
from provisioning.constants import MAX_PORT, MIN_PORT


class Region(models.Model):
    """Where a customer's users are; decides the domestic or overseas test pool."""

    code = models.SlugField(max_length=32, unique=True, help_text="e.g. cn-east, na, eu.")
    name = models.CharField(max_length=100)
    domestic = models.BooleanField(
        default=False, help_text="China mainland (domestic) rather than overseas."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Isp(models.Model):
    """A network operator (line) such as China Telecom, Unicom or Mobile."""

    code = models.SlugField(max_length=32, unique=True, help_text="e.g. telecom, unicom, mobile.")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "ISP"

    def __str__(self):
        return self.name


class PortProfile(models.Model):
    """A named set of protocol/port ranges that a pool's addresses listen on."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class PortRange(models.Model):
    """One protocol and port range of a profile, with what the traffic is for."""

    profile = models.ForeignKey(PortProfile, on_delete=models.CASCADE, related_name="ranges")
    protocol = models.CharField(max_length=3, choices=Protocol.choices)
    port_start = models.PositiveIntegerField(help_text=f"{MIN_PORT}-{MAX_PORT}.")
    port_end = models.PositiveIntegerField(help_text="Same as the start for a single port.")
    purpose = models.CharField(max_length=16, choices=PortPurpose.choices)

    class Meta:
        ordering = ["profile", "protocol", "port_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(port_start__gte=MIN_PORT, port_start__lte=MAX_PORT),
                name="portrange_start_in_range",
                violation_error_message=f"Ports are {MIN_PORT}-{MAX_PORT}.",
            ),
            models.CheckConstraint(
                condition=models.Q(port_end__gte=MIN_PORT, port_end__lte=MAX_PORT),
                name="portrange_end_in_range",
                violation_error_message=f"Ports are {MIN_PORT}-{MAX_PORT}.",
            ),
            models.CheckConstraint(
                condition=models.Q(port_start__lte=models.F("port_end")),
                name="portrange_start_lte_end",
                violation_error_message="The first port must not be after the last port.",
            ),
            models.CheckConstraint(
                condition=models.Q(protocol__in=Protocol.values), name="portrange_protocol_valid"
            ),
            models.UniqueConstraint(
                fields=["profile", "protocol", "port_start", "port_end"],
                name="portrange_unique_per_profile",
            ),
        ]

    def __str__(self):
        return f"{self.get_protocol_display()} {self.ports_label}"

    @property
    def ports_label(self) -> str:
        if self.port_start == self.port_end:
            return str(self.port_start)
        return f"{self.port_start}-{self.port_end}"

    def clean(self):
        errors = {}
        for field in ("port_start", "port_end"):
            value = getattr(self, field)
            if value is not None and not MIN_PORT <= value <= MAX_PORT:
                errors[field] = f"Ports are {MIN_PORT}-{MAX_PORT}; {value} is out of range."
        if (
            not errors
            and self.port_start is not None
            and self.port_end is not None
            and self.port_start > self.port_end
        ):
            errors["port_end"] = (
                f"The last port ({self.port_end}) must not be before the first ({self.port_start})."
            )
        if errors:
            raise ValidationError(errors)
