"""The app admin: here rather than in accounts because saving new source networks
publishes the app's firewall rules."""

from django import forms
from django.contrib import admin, messages

from accounts.admin import AUDIT_FIELDS, StatusByOpsMixin
from accounts.forms import SourceNetworksField
from accounts.models import App
from accounts.services.apps import app_create
from core.badges import status_badge
from provisioning.services.apps import app_source_networks_set


class AppAdminForm(forms.ModelForm):
    source_networks = SourceNetworksField(
        required=False,
        help_text="The customer's internal networks in CIDR notation, one per line; firewall "
        "rules allow traffic from these only. Empty: from anywhere.",
    )

    class Meta:
        model = App
        fields = ["app_id", "customer", "name", "certificate_enabled", "status", "source_networks"]


@admin.register(App)
class AppAdmin(StatusByOpsMixin, admin.ModelAdmin):
    form = AppAdminForm
    list_display = ("app_id", "name", "customer", "status_badge", "certificate_enabled")
    list_filter = ("status", "certificate_enabled", "customer")
    search_fields = ("app_id", "name", "customer__name", "customer__slug")
    autocomplete_fields = ["customer"]
    readonly_fields = (*AUDIT_FIELDS, "certificate_fingerprint", "secondary_fingerprint")

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Certificate fingerprint")
    def certificate_fingerprint(self, obj):
        return obj.certificate_fingerprint or "—"

    @admin.display(description="Secondary certificate fingerprint")
    def secondary_fingerprint(self, obj):
        # Customer admins generate, promote and remove it in the portal; each change is in
        # this app's history.
        return obj.secondary_certificate_fingerprint or "none"

    def get_readonly_fields(self, request, obj=None):
        # The App ID is the customer's identity in every SDK: fixed once created.
        fields = (*super().get_readonly_fields(request, obj), "source_networks_flagged")
        return (*fields, "app_id") if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            self.status_save(request, obj, form)
            super().save_model(request, obj, form, change)
            if "source_networks" in form.changed_data:
                # The rule source changed: firewall files need a new version.
                app_source_networks_set(app=obj, source_networks=obj.source_networks)
            return
        created, certificate = app_create(
            customer=obj.customer,
            app_id=obj.app_id,
            name=obj.name,
            certificate_enabled=obj.certificate_enabled,
            source_networks=obj.source_networks,
        )
        obj.pk = created.pk
        obj._state.adding = False
        messages.warning(
            request,
            f"App certificate for {created.app_id}: {certificate} — copy it now, "
            "it will not be shown again.",
        )
