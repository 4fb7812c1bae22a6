from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.choices import MembershipRole
from accounts.models import (
    ApiKey,
    App,
    Customer,
    FeedToken,
    Membership,
    RuleSubscription,
    SubscriptionNotice,
)
from accounts.permissions import Ability, staff_may, status_ability
from accounts.services.api_keys import api_key_create, api_key_revoke
from accounts.services.invitations import member_invite
from accounts.services.status import app_status_set, customer_status_set
from core.admin import ReadOnlyAdmin
from core.badges import status_badge

AUDIT_FIELDS = ("created_at", "updated_at")


class StatusByOpsMixin:
    """Show ``status`` read-only to staff who may not change it; save it through the service."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not staff_may(user=request.user, ability=status_ability(self.model)):
            fields = (*fields, "status")
        return fields

    def status_save(self, request, obj, form) -> None:
        """Apply a changed status through the service, which checks and records it."""
        if "status" not in form.changed_data:
            return
        status_set = customer_status_set if self.model is Customer else app_status_set
        new_status = obj.status
        obj.status = form.initial["status"]
        kwarg = "customer" if self.model is Customer else "app"
        status_set(**{kwarg: obj, "status": new_status, "actor": request.user})


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


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=MembershipRole.choices, initial=MembershipRole.ADMIN)


def _accept_url_builder(request):
    def accept_url_for(token):
        if token is None:
            return request.build_absolute_uri(reverse("login"))
        return request.build_absolute_uri(reverse("portal_invitation_accept", args=[token]))

    return accept_url_for


@admin.register(Customer)
class CustomerAdmin(StatusByOpsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "contact_email", "sales_owner", "status_badge", "created_at")
    list_filter = ("status", "sales_owner")
    search_fields = ("name", "slug", "contact_email", "apps__app_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = AUDIT_FIELDS
    inlines = [MembershipInline, AppInline]

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    def save_model(self, request, obj, form, change):
        if change:
            self.status_save(request, obj, form)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [
            path("<int:object_id>/invite/", invite, name="accounts_customer_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request, object_id):
        """Invite a portal user of this customer by e-mail (sales and ops onboarding)."""
        customer = get_object_or_404(Customer, pk=object_id)
        if not staff_may(user=request.user, ability=Ability.MEMBERS_MANAGE):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                member_invite(
                    customer=customer,
                    actor=request.user,
                    accept_url_for=_accept_url_builder(request),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                email = form.cleaned_data["email"]
                self.message_user(request, f"Invitation sent to {email}.", messages.SUCCESS)
                return redirect("admin:accounts_customer_change", customer.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": customer,
            "form": form,
            "title": f"Invite a portal user of {customer}",
        }
        return TemplateResponse(request, "admin/accounts/customer/invite.html", context)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "customer", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "customer__name")
    autocomplete_fields = ["user", "customer"]
    readonly_fields = AUDIT_FIELDS


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


@admin.register(RuleSubscription)
class RuleSubscriptionAdmin(ReadOnlyAdmin):
    """Members' e-mails about new rule versions; members set them in the portal."""

    list_display = ("user", "app", "mode", "updated_at")
    list_filter = ("mode",)
    search_fields = ("user__username", "user__email", "app__name", "app__app_id")


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyAdmin):
    """Members' secret feed links (only a hash is kept); members manage them in the portal."""

    list_display = ("prefix", "user", "app", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "user__username", "app__name", "app__app_id")
    exclude = ("token_hash",)


@admin.register(SubscriptionNotice)
class SubscriptionNoticeAdmin(ReadOnlyAdmin):
    """E-mails about new rule versions that went out, one per version or day and member."""

    list_display = ("key", "user", "kind", "sent_at")
    list_filter = ("kind",)
    search_fields = ("key", "user__username", "user__email")
