import ipaddress
from itertools import combinations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from provisioning.models import ExcludedAddress, PoolPrefix, ProxyPool
from provisioning.services.pools import pool_prefix_save

AUDIT_FIELDS = ("created_at", "updated_at")


class PoolPrefixFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse two rows of one submission that overlap each other."""
        super().clean()
        networks = [
            ipaddress.ip_network(form.cleaned_data["network"])
            for form in self.forms
            if form.cleaned_data.get("network") and not form.cleaned_data.get("DELETE")
        ]
        for first, second in combinations(networks, 2):
            if first.version == second.version and first.overlaps(second):
                raise ValidationError(f"{first} and {second} overlap; pool prefixes must not.")


class PoolPrefixInline(admin.TabularInline):
    model = PoolPrefix
    formset = PoolPrefixFormSet
    extra = 0
    readonly_fields = AUDIT_FIELDS


class ExcludedAddressInline(admin.TabularInline):
    model = ExcludedAddress
    extra = 0
    readonly_fields = AUDIT_FIELDS


@admin.register(ProxyPool)
class ProxyPoolAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "role",
        "scope",
        "region",
        "isp",
        "prefix_list",
        "port_profile",
        "capacity_per_address",
        "enabled",
    )
    list_filter = ("kind", "role", "scope", "region", "isp", "enabled")
    search_fields = ("name", "prefixes__network", "region__code", "isp__code")
    readonly_fields = AUDIT_FIELDS
    inlines = [PoolPrefixInline, ExcludedAddressInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("region", "isp", "port_profile")
            .prefetch_related("prefixes")
        )

    @admin.display(description="Prefixes")
    def prefix_list(self, obj):
        return ", ".join(prefix.network for prefix in obj.prefixes.all())

    def save_formset(self, request, form, formset, change):
        if formset.model is not PoolPrefix:
            super().save_formset(request, form, formset, change)
            return
        # Prefixes go through the service, which checks overlaps under a lock.
        for prefix in formset.save(commit=False):
            pool_prefix_save(prefix=prefix)
        for prefix in formset.deleted_objects:
            prefix.delete()


@admin.register(PoolPrefix)
class PoolPrefixAdmin(admin.ModelAdmin):
    list_display = ("network", "pool", "created_at")
    list_filter = ("pool__kind", "pool")
    search_fields = ("network", "pool__name")
    readonly_fields = AUDIT_FIELDS

    def save_model(self, request, obj, form, change):
        pool_prefix_save(prefix=obj)


@admin.register(ExcludedAddress)
class ExcludedAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "pool", "reason", "created_at")
    list_filter = ("pool",)
    search_fields = ("address", "reason", "pool__name")
    readonly_fields = AUDIT_FIELDS
