from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.badges import status_badge
from provisioning.models import AllocatedEndpoint, Allocation, SentNotice
from provisioning.selectors.portal import ports_label


class AllocatedEndpointInline(ReadOnlyInline):
    model = AllocatedEndpoint
    fields = ("address", "role", "region", "isp", "pool", "ports_text", "dedicated", "live")
    readonly_fields = fields

    @admin.display(description="Ports")
    def ports_text(self, obj):
        # The snapshot copied from the pool's port profile, as people write ports.
        parts = []
        for protocol in ("tcp", "udp"):
            ports = ports_label(obj.ports or [], protocol)
            if ports:
                parts.append(f"{protocol.upper()} {ports}")
        return " \u00b7 ".join(parts) or "\u2014"


class SentNoticeInline(ReadOnlyInline):
    model = SentNotice
    fields = ("sent_at", "notice", "recipients", "key")
    readonly_fields = fields
    verbose_name_plural = "E-mail notices sent"


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "app_id_display",
        "kind",
        "status_badge",
        "endpoint_count",
        "created_at",
        "expires_at",
        "error",
    )
    list_filter = ("kind", "status")
    search_fields = ("request__app__app_id", "request__app__customer__name", "endpoints__address")
    readonly_fields = (
        "request",
        "kind",
        "status",
        "expires_at",
        "activated_at",
        "released_at",
        "error",
        "created_at",
        "updated_at",
    )
    inlines = [AllocatedEndpointInline, SentNoticeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request__app")

    @admin.display(description="App ID", ordering="request__app__app_id")
    def app_id_display(self, obj):
        return obj.request.app.app_id

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description="Addresses")
    def endpoint_count(self, obj):
        return obj.endpoints.count()


@admin.register(AllocatedEndpoint)
class AllocatedEndpointAdmin(ReadOnlyAdmin):
    list_display = ("address", "role", "region", "isp", "pool", "allocation", "dedicated", "live")
    list_filter = ("live", "dedicated", "role", "region", "isp", "pool")
    search_fields = ("address", "allocation__request__app__app_id")
