from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.badges import status_badge
from provisioning.admin.activations import activation_shorten_view, request_pending_activations
from provisioning.admin.changes import ChangeRequestInline
from provisioning.admin.ops_queue import ops_queue_view
from provisioning.admin.task_panel import task_panel_context, task_panel_status
from provisioning.choices import RequestAction
from provisioning.models import Allocation, ProvisioningRequest, RequestEvent
from provisioning.selectors.capacity import request_capacity
from provisioning.selectors.request_history import request_admin_timeline
from provisioning.services.actions import request_action_enqueue, request_actions_offered
from provisioning.services.lifecycle import ACTIONS, QUEUED_ACTIONS, open_change
from provisioning.services.permissions import actor_may_take
from provisioning.services.requests import request_scope_check, request_submit


def _enqueue(*, request, action: str, actor, reason: str = "") -> str:
    return request_action_enqueue(request=request, action=action, actor=actor, reason=reason)


def _bulk_action(action: str):
    """Return a changelist action that starts ``action`` for each selected request."""

    def run(modeladmin, request, queryset):
        accepted = []
        for provisioning_request in queryset:
            try:
                _enqueue(request=provisioning_request, action=action, actor=request.user)
            except PermissionDenied as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
                return
            except ValidationError as exc:
                modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                accepted.append(f"#{provisioning_request.pk}")
        if accepted:
            label = RequestAction(action).label.lower()
            modeladmin.message_user(
                request, f"Accepted “{label}” for {', '.join(accepted)}.", messages.SUCCESS
            )

    run.__name__ = f"action_{action.replace('-', '_')}"
    return admin.action(description=f"{RequestAction(action).label} (selected requests)")(run)


def _action_buttons(provisioning_request, user) -> list[dict]:
    """Return the change page's action buttons; Approve and Allocate carry whether the
    pools can serve the request, and are disabled with the reason when they can't."""
    buttons = []
    for action in request_actions_offered(request=provisioning_request, actor=user):
        capacity = request_capacity(request=provisioning_request, action=action)
        buttons.append(
            {
                "value": action.value,
                "label": action.label,
                "needs_reason": ACTIONS[action].needs_reason,
                "capacity": capacity,
                "blocked": capacity.reason if capacity and not capacity.ok else "",
                "url": reverse(
                    "admin:provisioning_provisioningrequest_action",
                    args=[provisioning_request.pk, action.value],
                ),
            }
        )
    return buttons


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fields = ("kind", "status", "created_at", "activated_at", "expires_at", "released_at", "error")
    readonly_fields = fields
    show_change_link = True


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
        "app_name",
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
    # Events, actions and failures are in the one timeline above the form.
    inlines = [ChangeRequestInline, AllocationInline]
    date_hierarchy = "created_at"
    actions = [_bulk_action(action) for action in QUEUED_ACTIONS]

    def get_actions(self, request):
        """Offer only the actions the user may take (the rule in ``ACTIONS``)."""
        offered = super().get_actions(request)
        for action in QUEUED_ACTIONS:
            if not actor_may_take(actor=request.user, action=action):
                offered.pop(f"action_{action.value.replace('-', '_')}", None)
        return offered

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("ops-queue/", wrap(ops_queue_view), name="provisioning_ops_queue"),
            path(
                "<int:object_id>/actions/<str:action>/",
                wrap(require_POST(self.action_view)),
                name="provisioning_provisioningrequest_action",
            ),
            path(
                "<int:object_id>/activations/shorten/",
                wrap(require_POST(self.shorten_view)),
                name="provisioning_provisioningrequest_shorten",
            ),
            path(
                "<int:object_id>/tasks/<str:task_id>/",
                wrap(self.task_view),
                name="provisioning_provisioningrequest_task",
            ),
            *super().get_urls(),
        ]

    def action_view(self, request, object_id, action):
        """Start one action for the request and come back to its page to follow it."""
        provisioning_request = get_object_or_404(ProvisioningRequest, pk=object_id)
        if action not in QUEUED_ACTIONS or not self.has_change_permission(request):
            raise Http404("No such action.")
        change_url = reverse("admin:provisioning_provisioningrequest_change", args=[object_id])
        try:
            task_id = _enqueue(
                request=provisioning_request,
                action=action,
                actor=request.user,
                reason=request.POST.get("reason", "").strip(),
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(change_url)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(change_url)
        label = RequestAction(action).label
        self.message_user(request, f"“{label}” accepted as task {task_id}.")
        return HttpResponseRedirect(f"{change_url}?{urlencode({'task': task_id})}")

    def shorten_view(self, request, object_id):
        """Bring the pending rule set versions of the request's app forward."""
        return activation_shorten_view(self, request, object_id)

    def task_view(self, request, object_id, task_id):
        """Return a queued action's state and result as JSON, for the progress panel."""
        get_object_or_404(ProvisioningRequest, pk=object_id)
        return JsonResponse(task_panel_status(task_id=task_id))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        provisioning_request = self.get_object(request, object_id)
        if provisioning_request is not None:
            extra_context = {
                **(extra_context or {}),
                "request_actions": _action_buttons(provisioning_request, request.user),
                "timeline": request_admin_timeline(request=provisioning_request),
                "pending_activations": request_pending_activations(request=provisioning_request),
                "activation_shorten_url": reverse(
                    "admin:provisioning_provisioningrequest_shorten", args=[object_id]
                )
                if self.has_change_permission(request, provisioning_request)
                else "",
                "open_change": open_change(provisioning_request),
                "change_add_url": reverse("admin:provisioning_changerequest_add")
                + f"?request={provisioning_request.pk}",
                **task_panel_context(request=request, object_id=provisioning_request.pk),
                "status_badge_html": status_badge(
                    provisioning_request.status, provisioning_request.get_status_display()
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

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

    @admin.display(description="App", ordering="app__name")
    def app_name(self, obj):
        return obj.app.name

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
class RequestEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "request", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status",)
    search_fields = ("request__app__app_id", "reason", "actor__username")
    readonly_fields = ("request", "created_at", "actor", "from_status", "to_status", "reason")
