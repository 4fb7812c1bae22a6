from django.contrib import admin, messages

from accounts.models import ApiKey, App, Customer, Membership
from accounts.services.api_keys import api_key_create, api_key_revoke
from accounts.services.apps import app_create, app_source_networks_set
from provisioning.badges import status_badge

AUDIT_FIELDS = ("created_at", "updated_at")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = AUDIT_FIELDS


class AppInline(admin.TabularInline):
    model = App
    extra = 0
    fields = ("app_id", "name", "status", "certificate_enabled")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "contact_email", "sales_owner", "status_badge", "created_at")
    list_filter = ("status", "sales_owner")
    search_fields = ("name", "slug", "contact_email", "apps__app_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = AUDIT_FIELDS
    inlines = [MembershipInline, AppInline]

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "customer", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "customer__name")
    autocomplete_fields = ["user", "customer"]
    readonly_fields = AUDIT_FIELDS


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ("app_id", "name", "customer", "status_badge", "certificate_enabled")
    list_filter = ("status", "certificate_enabled", "customer")
    search_fields = ("app_id", "name", "customer__name", "customer__slug")
    autocomplete_fields = ["customer"]
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    def get_readonly_fields(self, request, obj=None):
        # The App ID is the customer's identity in every SDK: fixed once created.
        flagged = ("source_networks_flagged",)
        return (*AUDIT_FIELDS, *flagged, "app_id") if obj else (*AUDIT_FIELDS, *flagged)

    def save_model(self, request, obj, form, change):
        if change:
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


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "prefix", "scopes", "last_used_at", "revoked_at")
    list_filter = ("customer", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "customer__name")
    autocomplete_fields = ["customer"]
    readonly_fields = ("prefix", "created_by", "last_used_at", "revoked_at", *AUDIT_FIELDS)
    actions = ["revoke_keys"]

    def has_change_permission(self, request, obj=None):
        # A key is issued or revoked, never edited.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created, raw_key = api_key_create(
            customer=obj.customer,
            name=obj.name,
            scopes=obj.scopes,
            created_by=request.user,
            expires_at=obj.expires_at,
        )
        obj.pk = created.pk
        obj._state.adding = False
        messages.warning(request, f"API key: {raw_key} — copy it now, it will not be shown again.")

    def log_addition(self, request, obj, message):
        """Skip the generic entry: api_key_create() records the issue with its scopes."""

    @admin.action(description="Revoke selected API keys", permissions=["delete"])
    def revoke_keys(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key, actor=request.user)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)
