from django.contrib import admin

from provisioning.models import Isp, PortProfile, PortRange, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "domestic")
    list_filter = ("domestic",)
    search_fields = ("code", "name")


@admin.register(Isp)
class IspAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class PortRangeInline(admin.TabularInline):
    model = PortRange
    extra = 0


@admin.register(PortProfile)
class PortProfileAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "ports_summary")
    search_fields = ("code", "name")
    inlines = [PortRangeInline]

    @admin.display(description="Ports")
    def ports_summary(self, obj):
        return ", ".join(f"{r} ({r.get_purpose_display()})" for r in obj.ranges.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ranges")
