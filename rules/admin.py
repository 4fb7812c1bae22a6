from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from rules.models import (
    RuleChange,
    RuleEntry,
    RuleExport,
    RuleSet,
    RuleSetActivation,
    RuleSetNote,
)
from rules.services.notes import rule_set_note_set


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


class RuleSetColumns:
    """The App ID and version columns of a model that belongs to a rule set version."""

    @admin.display(description="App ID", ordering="rule_set__app__app_id")
    def app_id_display(self, obj):
        return obj.rule_set.app.app_id

    @admin.display(description="Version", ordering="rule_set__version")
    def version(self, obj):
        return obj.rule_set.version


@admin.register(RuleExport)
class RuleExportAdmin(RuleSetColumns, ReadOnlyAdmin):
    list_display = ("app_id_display", "version", "format_name", "status", "sha256", "rendered_at")
    list_filter = ("format_name", "status")
    search_fields = ("rule_set__app__app_id", "rule_set__version")
    list_select_related = ("rule_set__app",)
    fields = ("rule_set", "format_name", "status", "sha256", "error", "omitted", "rendered_at",
              "content")  # fmt: skip
    readonly_fields = fields


@admin.register(RuleSetNote)
class RuleSetNoteAdmin(RuleSetColumns, admin.ModelAdmin):
    """Staff's notes on rule set versions, which customers read with each version."""

    list_display = ("app_id_display", "version", "text", "author", "updated_at")
    search_fields = ("rule_set__app__app_id", "rule_set__app__name", "rule_set__version", "text")
    list_select_related = ("rule_set__app", "author")
    autocomplete_fields = ["rule_set"]
    fields = ("rule_set", "text", "author", "updated_at")
    readonly_fields = ("author", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # A note stays with its version; write another version's note instead.
        return (*self.readonly_fields, "rule_set") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        note = rule_set_note_set(rule_set=obj.rule_set, text=obj.text, actor=request.user)
        obj.pk, obj._state.adding = note.pk, False

    def log_addition(self, request, obj, message):
        """Skip the generic entry: rule_set_note_set() records the note's text."""

    def log_change(self, request, obj, message):
        """Skip the generic entry: rule_set_note_set() records the note's text."""
