from django import forms
from django.contrib import admin

from provisioning.badges import status_badge
from provisioning.models import Allocation, ProvisioningRequest, RequestEvent
from provisioning.services.requests import request_scope_check, request_submit


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None):
        return False


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    fields = ("kind", "status", "created_at", "activated_at", "expires_at", "released_at", "error")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ProvisioningRequestForm(forms.ModelForm):
    class Meta:
        model = ProvisioningRequest
        fields = ["app", "regions", "isps", "concurrency", "notes"]

    def clean(self):
        cleaned = super().clean()
        if "regions" in cleaned and "isps" in cleaned:
            request_scope_check(regions=list(cleaned["regions"]), isps=list(cleaned["isps"]))
        return cleaned


@admin.register(ProvisioningRequest)
class ProvisioningRequestAdmin(admin.ModelAdmin):
    form = ProvisioningRequestForm
    list_display = (
        "id",
        "app_id_display",
        "customer",
        "status_badge",
        "concurrency",
        "region_list",
        "created_at",
    )
    list_display_links = ("id", "app_id_display")
    list_filter = ("status", "regions", "isps", "app__customer")
    search_fields = ("app__app_id", "app__name", "app__customer__name", "notes")
    autocomplete_fields = ["app"]
    filter_horizontal = ("regions", "isps")
    readonly_fields = (
        "status_badge",
        "status_changed_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [RequestEventInline, AllocationInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("app__customer")
            .prefetch_related("regions")
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Scope changes after submission are a resize, which the lifecycle services handle.
        return (*self.readonly_fields, "app", "regions", "isps", "concurrency")

    @admin.display(description="App ID", ordering="app__app_id")
    def app_id_display(self, obj):
        return obj.app.app_id

    @admin.display(description="Customer", ordering="app__customer__name")
    def customer(self, obj):
        return obj.app.customer

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Regions")
    def region_list(self, obj):
        return ", ".join(region.code for region in obj.regions.all())

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = request_submit(
            app=form.cleaned_data["app"],
            regions=list(form.cleaned_data["regions"]),
            isps=list(form.cleaned_data["isps"]),
            concurrency=form.cleaned_data["concurrency"],
            notes=form.cleaned_data["notes"],
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(RequestEvent)
class RequestEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "request", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status",)
    search_fields = ("request__app__app_id", "reason", "actor__username")
    readonly_fields = ("request", "created_at", "actor", "from_status", "to_status", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
