"""Change requests in the admin: staff ask for a change on a customer's behalf and see
every change; reviewing, approving and rejecting happen on the request's page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyInline
from core.badges import status_badge
from provisioning.exceptions import IllegalTransition
from provisioning.models import ChangeRequest, ProvisioningRequest
from provisioning.services.lifecycle import (
    ACTIONS,
    CHANGE,
    change_request_submit,
    change_summary,
    transition_check,
)
from provisioning.services.requests import request_scope_check


class ChangeRequestInline(ReadOnlyInline):
    model = ChangeRequest
    fk_name = "request"
    fields = ("status", "summary", "notes", "created_by", "created_at", "status_changed_at")
    readonly_fields = fields
    verbose_name_plural = "Changes"
    show_change_link = True


class ChangeRequestForm(forms.ModelForm):
    class Meta:
        model = ChangeRequest
        fields = ["request", "regions", "isps", "concurrency", "notes"]
        help_texts = {"regions": "Every region the app should have, not only the new ones."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.fields:
            self.fields["request"].queryset = ProvisioningRequest.objects.filter(
                status__in=ACTIONS[CHANGE].allowed_from
            ).select_related("app")
            self.fields["request"].help_text = "A testing or active request."

    def clean(self):
        cleaned = super().clean()
        if "regions" not in cleaned or "isps" not in cleaned:
            return cleaned
        regions, isps = list(cleaned["regions"]), list(cleaned["isps"])
        request_scope_check(regions=regions, isps=isps)
        proxy_request, concurrency = cleaned.get("request"), cleaned.get("concurrency")
        if proxy_request is None or concurrency is None:
            return cleaned
        try:
            transition_check(request=proxy_request, action=CHANGE)
        except IllegalTransition as exc:
            raise ValidationError({"request": exc.messages}) from exc
        summary = change_summary(
            request=proxy_request, concurrency=concurrency, regions=regions, isps=isps
        )
        if not summary:
            raise ValidationError("Nothing to change: the request already has this sizing.")
        return cleaned

    def validate_unique(self):
        """The service checks the open-change constraint, with the message that names it."""


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    form = ChangeRequestForm
    list_display = ("id", "request_link", "customer", "status_badge", "summary", "created_at")
    list_filter = ("status", "request__app__customer")
    search_fields = ("request__app__app_id", "request__app__name", "summary", "notes")
    filter_horizontal = ("regions", "isps")
    readonly_fields = ("status_badge", "summary", "created_by", "created_at", "status_changed_at")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request__app__customer")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A change is never edited: its request's page reviews, approves or rejects it.
        return (*self.readonly_fields, "request", "regions", "isps", "concurrency", "notes")

    def get_fields(self, request, obj=None):
        fields = ["request", "regions", "isps", "concurrency", "notes"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Request", ordering="request")
    def request_link(self, obj):
        url = reverse("admin:provisioning_provisioningrequest_change", args=[obj.request_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.request_id, obj.request.app.name)

    @admin.display(description="Customer", ordering="request__app__customer__name")
    def customer(self, obj):
        return obj.request.app.customer

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = change_request_submit(
            request=form.cleaned_data["request"],
            concurrency=form.cleaned_data["concurrency"],
            regions=list(form.cleaned_data["regions"]),
            isps=list(form.cleaned_data["isps"]),
            reason=form.cleaned_data["notes"],
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service set the regions and ISPs."""

    def response_add(self, request, obj, post_url_continue=None):
        """Go to the request's page, where the change is reviewed and approved."""
        self.message_user(request, f"Change #{obj.pk} asked; review it on its request's page.")
        url = reverse("admin:provisioning_provisioningrequest_change", args=[obj.request_id])
        return HttpResponseRedirect(f"{url}#request-actions")
