from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from rules.models import RuleChange, RuleEntry, RuleExport, RuleSet, RuleSetActivation


class RuleEntryInline(ReadOnlyInline):
    model = RuleEntry
    fields = ("entry_id", "environment", "protocol", "destination", "ports", "purpose")
    readonly_fields = fields


class RuleChangeInline(ReadOnlyInline):
    model = RuleChange
    fields = ("disposition", "effective_at", "entry_id", "environment", "protocol",
              "destination", "ports", "purpose", "previous")  # fmt: skip
    readonly_fields = fields


class RuleSetActivationInline(ReadOnlyInline):
    model = RuleSetActivation
    fields = ("effective_at", "activated_at", "acknowledged_at", "acknowledged_source",
              "acknowledged_by", "acknowledged_api_key", "shortened_at", "shortened_by",
              "shortened_reason")  # fmt: skip
    readonly_fields = fields
    verbose_name_plural = "Activation (when SDKs get this version)"


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ("app_id_display", "version", "entry_count", "sha256", "created_at")
    search_fields = ("app__app_id", "version")
    list_select_related = ("app",)
    date_hierarchy = "created_at"
    fields = ("app", "version", "sha256", "source_networks", "entry_count", "created_at")
    readonly_fields = fields
    inlines = [RuleSetActivationInline, RuleEntryInline, RuleChangeInline]

    @admin.display(description="App ID", ordering="app__app_id")
    def app_id_display(self, obj):
        return obj.app.app_id


@admin.register(RuleExport)
class RuleExportAdmin(ReadOnlyAdmin):
    list_display = ("app_id_display", "version", "format_name", "status", "sha256", "rendered_at")
    list_filter = ("format_name", "status")
    search_fields = ("rule_set__app__app_id", "rule_set__version")
    list_select_related = ("rule_set__app",)
    fields = ("rule_set", "format_name", "status", "sha256", "error", "omitted", "rendered_at",
              "content")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="App ID", ordering="rule_set__app__app_id")
    def app_id_display(self, obj):
        return obj.rule_set.app.app_id

    @admin.display(description="Version", ordering="rule_set__version")
    def version(self, obj):
        return obj.rule_set.version
