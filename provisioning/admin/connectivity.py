"""Connectivity reports sent by customers' browsers and probes, read-only for staff."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from provisioning.models import ConnectivityReport, ConnectivityResult


class ConnectivityResultInline(ReadOnlyInline):
    model = ConnectivityResult
    fields = ("destination", "protocol", "port", "transport", "outcome", "ms")
    readonly_fields = fields


@admin.register(ConnectivityReport)
class ConnectivityReportAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at", "app", "source", "passed", "blocked", "tried", "source_address", "version",
    )  # fmt: skip
    list_filter = ("source", "passed")
    search_fields = ("app__app_id", "app__name", "source_address")
    list_select_related = ("app", "rule_set")
    readonly_fields = (
        "app", "rule_set", "source", "source_address", "passed", "tried", "blocked",
        "created_at", "created_by", "api_key",
    )  # fmt: skip
    inlines = [ConnectivityResultInline]

    @admin.display(description="rules version", ordering="rule_set__version")
    def version(self, report):
        return report.rule_set.version
