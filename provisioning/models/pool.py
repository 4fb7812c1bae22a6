import ipaddress

from django.core.exceptions import ValidationError
from django.db import models

from core.models import TimestampedModel
from provisioning.addresses import address_sort_key, tls_hostname, tls_hostname_pattern_problem
from provisioning.choices import PoolKind, PoolRole, PoolScope
from provisioning.constants import (
    DEFAULT_CAPACITY_PER_ADDRESS,
    DEFAULT_QUARANTINE_DAYS,
    DEFAULT_REDUNDANCY,
)
from provisioning.fields import CidrField
from provisioning.models.allocation import ADDRESS_KEY_LENGTH

LOW_WATER_SHARED_MESSAGE = (
    "Only dedicated production proxy pools have a low-water mark: every app gets all of a "
    "shared test or edge pool, so it is never used up."
)


class ProxyPool(TimestampedModel):
    """Addresses that serve one role: shared test addresses, or production ones carved out
    per customer."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=PoolKind.choices)
    role = models.CharField(max_length=8, choices=PoolRole.choices, default=PoolRole.PROXY)
    scope = models.CharField(
        max_length=16,
        choices=PoolScope.choices,
        help_text="Which networks the pool serves; must agree with the region when one is set.",
    )
    region = models.ForeignKey(
        "provisioning.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pools",
        help_text="Required for production proxy pools.",
    )
    isp = models.ForeignKey(
        "provisioning.Isp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pools",
        verbose_name="ISP",
        help_text="Empty for a multi-line pool that serves any ISP.",
    )
    port_profile = models.ForeignKey(
        "provisioning.PortProfile", on_delete=models.PROTECT, related_name="pools"
    )
    capacity_per_address = models.PositiveIntegerField(
        default=DEFAULT_CAPACITY_PER_ADDRESS,
        help_text="Concurrent users one address serves.",
    )
    redundancy = models.PositiveIntegerField(
        default=DEFAULT_REDUNDANCY, help_text="Spare addresses added to each allocation."
    )
    quarantine_days = models.PositiveIntegerField(
        default=DEFAULT_QUARANTINE_DAYS,
        help_text="Days a released address rests before it is handed out again.",
    )
    enabled = models.BooleanField(
        default=True, help_text="Disabled pools keep their allocations but get no new ones."
    )
    tls_hostname_pattern = models.CharField(
        "TLS host-name pattern",
        max_length=200,
        blank=True,
        help_text=(
            "Host name SDKs use for TURN over TLS on 443 (turns: URLs, Force TCP/TLS mode). "
            "{dashed} stands for the address with dashes (192.0.2.10 -> 192-0-2-10), e.g. "
            "{dashed}.turn.example.net; the TURN servers' certificate must cover every "
            "resulting name (e.g. *.turn.example.net) and DNS must resolve it to the "
            "address. Empty: the pool's addresses get no turns: URL. SDKs see a change "
            "within SDK_CONFIG_CACHE_TIMEOUT."
        ),
    )

    low_water_free_addresses = models.PositiveBigIntegerField(
        "low-water mark (free addresses)",
        null=True,
        blank=True,
        help_text=(
            "Ops are e-mailed once when the pool's free addresses drop below this number, "
            "and again only after the pool has been back at or above it. Empty: no alert. "
            "Dedicated production proxy pools only: shared test and edge pools are never "
            "used up."
        ),
    )
    low_water_alerted_at = models.DateTimeField(
        "low-water e-mail sent",
        null=True,
        blank=True,
        editable=False,
        help_text="When ops were e-mailed that the pool went below its low-water mark; "
        "cleared once the pool is back at or above it.",
    )

    class Meta:
        ordering = ["kind", "scope", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PoolKind.values), name="proxypool_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=PoolRole.values), name="proxypool_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=PoolScope.values), name="proxypool_scope_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity_per_address__gte=1),
                name="proxypool_capacity_positive",
                violation_error_message="An address serves at least one concurrent user.",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=PoolKind.PRODUCTION, role=PoolRole.PROXY)
                | models.Q(region__isnull=False),
                name="proxypool_production_proxy_has_region",
                violation_error_message="A production proxy pool belongs to a region.",
            ),
            models.CheckConstraint(
                condition=models.Q(low_water_free_addresses__isnull=True)
                | models.Q(kind=PoolKind.PRODUCTION, role=PoolRole.PROXY),
                name="proxypool_low_water_dedicated_only",
                violation_error_message=LOW_WATER_SHARED_MESSAGE,
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_shared(self) -> bool:
        """Return whether every allocation gets all of this pool (test and edge pools)."""
        return self.kind == PoolKind.TEST or self.role == PoolRole.EDGE

    @property
    def sharing_label(self) -> str:
        """Return who uses the pool's addresses, e.g. "Production edge (shared by customers)"."""
        if self.kind == PoolKind.TEST:
            return "Test (shared by every app)"
        if self.role == PoolRole.EDGE:
            return "Production edge (shared by customers)"
        return "Production (dedicated per customer)"

    def tls_hostname(self, address: str) -> str | None:
        """Return the TLS host name of ``address`` in this pool, or None without a pattern."""
        return (
            tls_hostname(self.tls_hostname_pattern, address) if self.tls_hostname_pattern else None
        )

    def clean(self):
        errors = {}
        if self.tls_hostname_pattern:
            problem = tls_hostname_pattern_problem(self.tls_hostname_pattern)
            if problem:
                errors["tls_hostname_pattern"] = problem
        if self.kind == PoolKind.PRODUCTION and self.role == PoolRole.PROXY and not self.region_id:
            errors["region"] = "A production proxy pool belongs to a region."
        if self.low_water_free_addresses is not None and self.is_shared:
            errors["low_water_free_addresses"] = LOW_WATER_SHARED_MESSAGE
        if self.region_id and self.scope:
            expected = PoolScope.DOMESTIC if self.region.domestic else PoolScope.OVERSEAS
            if self.scope != expected:
                errors["scope"] = (
                    f"Region {self.region.code} is {expected.label.lower()}; "
                    f"the pool's scope must be {expected.value!r}."
                )
        if errors:
            raise ValidationError(errors)


class PoolPrefix(TimestampedModel):
    """An IPv4 or IPv6 network that belongs to one pool. Prefixes never overlap."""

    pool = models.ForeignKey(ProxyPool, on_delete=models.CASCADE, related_name="prefixes")
    network = CidrField(
        unique=True, help_text="CIDR with host bits zero, e.g. 192.0.2.0/24 or 2001:db8::/64."
    )

    class Meta:
        ordering = ["pool", "network"]
        verbose_name_plural = "pool prefixes"

    def __str__(self):
        return self.network

    @property
    def ip_network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.network)

    def clean(self):
        """Refuse a network that overlaps another prefix, naming the other pool."""
        try:
            network = ipaddress.ip_network(self.network, strict=True)
        except (TypeError, ValueError):
            return  # The field's own validation reports a malformed network.
        others = PoolPrefix.objects.select_related("pool").exclude(pk=self.pk)
        for other in others.iterator():
            other_network = other.ip_network
            if other_network.version == network.version and other_network.overlaps(network):
                raise ValidationError(
                    {
                        "network": (
                            f"{network} overlaps {other_network} of pool "
                            f"\u201c{other.pool.name}\u201d; pool prefixes must not overlap."
                        )
                    },
                    code="prefix_overlap",
                )


class ExcludedAddress(TimestampedModel):
    """An address inside a pool's prefixes that is never handed out (gateways, broken hosts)."""

    pool = models.ForeignKey(ProxyPool, on_delete=models.CASCADE, related_name="excluded_addresses")
    address = models.GenericIPAddressField(unpack_ipv4=True)
    address_key = models.CharField(
        max_length=ADDRESS_KEY_LENGTH,
        editable=False,
        db_index=True,
        help_text="Sortable form of the address.",
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pool", "address"]
        verbose_name_plural = "excluded addresses"
        constraints = [
            models.UniqueConstraint(fields=["pool", "address"], name="excludedaddress_unique"),
        ]

    def __str__(self):
        return self.address

    def save(self, *args, **kwargs):
        self.address_key = address_sort_key(self.address)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.pool_id or not self.address:
            return
        address = ipaddress.ip_address(self.address)
        if not any(address in prefix.ip_network for prefix in self.pool.prefixes.all()):
            raise ValidationError(
                {"address": f"{address} is not inside any prefix of pool {self.pool.name}."}
            )
