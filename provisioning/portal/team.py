"""Team pages of the portal: customer admins invite and remove colleagues; invitees accept."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import MembershipRole
from accounts.models import Customer, Membership
from accounts.permissions import Ability
from accounts.selectors import user_customers, user_customers_may
from accounts.services.invitations import (
    invitation_accept,
    invitation_user,
    member_invite,
    member_remove,
)


class InviteForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), to_field_name="slug", empty_label=None
    )
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=MembershipRole.choices,
        initial=MembershipRole.VIEWER,
        help_text="Admins submit requests, manage API keys and invite colleagues.",
    )

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers


def accept_url_builder(request):
    """Return ``accept_url_for(token)`` building absolute links on this site."""

    def accept_url_for(token):
        if token is None:
            return request.build_absolute_uri(reverse("login"))
        return request.build_absolute_uri(reverse("portal_invitation_accept", args=[token]))

    return accept_url_for


@login_required
@require_http_methods(["GET", "POST"])
def team(request):
    """List the members of the user's customers; admins invite colleagues here."""
    admin_of = user_customers_may(user=request.user, ability=Ability.MEMBERS_MANAGE)
    form = InviteForm(request.POST or None, customers=admin_of)
    if request.method == "POST":
        if not admin_of.exists():
            raise Http404("No customer to invite people to.")
        if form.is_valid():
            try:
                member_invite(
                    **form.cleaned_data,
                    actor=request.user,
                    accept_url_for=accept_url_builder(request),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("portal_team")
    memberships = (
        Membership.objects.filter(customer__in=user_customers(user=request.user))
        .select_related("user", "customer")
        .order_by("customer__name", "user__email")
    )
    context = {
        "form": form,
        "memberships": memberships,
        "admin_of": set(admin_of.values_list("pk", flat=True)),
        "nav": "team",
    }
    return render(request, "portal/team.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_remove_view(request, pk):
    """Remove a colleague from one of the customers the user administers."""
    membership = Membership.objects.filter(
        pk=pk,
        customer__in=user_customers_may(user=request.user, ability=Ability.MEMBERS_MANAGE),
    ).first()
    if membership is None:
        raise Http404("No such member.")
    try:
        member_remove(membership=membership, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"{membership.user.email} no longer has access.")
    return redirect("portal_team")


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    """Let an invited person choose a password, then send them to sign in."""
    try:
        user = invitation_user(token=token)
    except ValidationError as exc:
        return render(
            request, "registration/invitation.html", {"error": exc.messages[0]}, status=404
        )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        messages.success(request, "Your password is set. Sign in to continue.")
        return redirect(f"{reverse('login')}?username={user.get_username()}")
    return render(
        request,
        "registration/invitation.html",
        {"form": form, "invited": user},
        status=400 if form.errors else 200,
    )
