from django import forms
from django.contrib import admin

from core.forms import LinesField
from provisioning.models import Isp, PortProfile, Region
from provisioning.port_lines import PortLine, port_line_parse
from provisioning.services.port_profiles import port_profile_ranges_set


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "domestic")
    list_filter = ("domestic",)
    search_fields = ("code", "name")


@admin.register(Isp)
class IspAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class PortProfileForm(forms.ModelForm):
    ports = LinesField(
        parse_line=port_line_parse,
        help_text="One range per line: protocol (TCP or UDP), a port or a range, and the "
        "purpose (signalling, media or edge), e.g. \u201cTCP 3433-3460 media\u201d. New "
        "allocations copy these; live ones keep the ports they were given.",
    )

    class Meta:
        model = PortProfile
        fields = ["code", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["ports"] = [
                PortLine(r.protocol, r.port_start, r.port_end, r.purpose)
                for r in self.instance.ranges.all()
            ]


@admin.register(PortProfile)
class PortProfileAdmin(admin.ModelAdmin):
    form = PortProfileForm
    list_display = ("code", "name", "ports_summary")
    search_fields = ("code", "name")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        port_profile_ranges_set(
            profile=form.instance, ranges=form.cleaned_data["ports"], actor=request.user
        )

    @admin.display(description="Ports")
    def ports_summary(self, obj):
        return ", ".join(f"{r} ({r.get_purpose_display()})" for r in obj.ranges.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("ranges")
