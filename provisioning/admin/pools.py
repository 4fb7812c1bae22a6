import ipaddress
from itertools import combinations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string

from accounts.permissions import Ability, staff_may
from provisioning.models import ExcludedAddress, PoolPrefix, ProxyPool
from provisioning.selectors.allocations import shared_pool_use
from provisioning.selectors.portal import pool_utilization
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
    # Utilization next to the name, where it is seen first; scope and profile stay filters.
    list_display = (
        "name",
        "utilization",
        "sharing",
        "role",
        "region",
        "isp",
        "prefix_list",
        "capacity_per_address",
        "enabled",
    )
    list_filter = ("kind", "role", "scope", "region", "isp", "enabled")
    search_fields = ("name", "prefixes__network", "region__code", "isp__code")
    readonly_fields = ("utilization_detail", "low_water_alerted_at", *AUDIT_FIELDS)
    inlines = [PoolPrefixInline, ExcludedAddressInline]

    class Media:
        css = {"all": ["portal/admin.css"]}

    def has_view_permission(self, request, obj=None):
        # The staff API asks the same rule: pools are ops' business.
        return staff_may(user=request.user, ability=Ability.POOLS_VIEW)

    @staticmethod
    def _utilization(obj, *, compact: bool) -> str:
        """Render a shared pool's apps per address, or a dedicated pool's used and free."""
        if obj.is_shared:
            context = {"shared": shared_pool_use(pool=obj)}
        else:
            context = {"u": pool_utilization(pool=obj)}
        return render_to_string(
            "admin/provisioning/proxypool/utilization.html", {**context, "compact": compact}
        )

    @admin.display(description="Utilization")
    def utilization(self, obj):
        return self._utilization(obj, compact=True)

    @admin.display(description="Kind", ordering="kind")
    def sharing(self, obj):
        return obj.sharing_label

    def get_fieldsets(self, request, obj=None):
        """Show the utilization first on a pool's page: it is what staff come to check."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        fields = [f for f in fieldsets[0][1]["fields"] if f != "utilization_detail"]
        return [("Utilization", {"fields": ["utilization_detail"]}), (None, {"fields": fields})]

    @admin.display(description="Addresses")
    def utilization_detail(self, obj):
        if obj.pk is None:
            return "Shown once the pool is saved."
        return self._utilization(obj, compact=False)

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
