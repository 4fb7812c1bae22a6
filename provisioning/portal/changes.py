"""Portal pages for a customer's requests: the list of requests and changes, and the form
that asks to change a live request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import Ability, user_may
from accounts.permissions import refusal as rule_refusal
from accounts.selectors import user_customers_may
from provisioning.exceptions import IllegalTransition
from provisioning.portal.forms import ChangeForm
from provisioning.selectors import portal as selectors
from provisioning.selectors.changes import user_changes
from provisioning.services.lifecycle import CHANGE, change_request_submit, transition_check


@login_required
@require_GET
def request_list(request):
    """List the user's proxy requests and the changes asked of them, newest first."""
    return render(
        request,
        "portal/request_list.html",
        {
            "requests": selectors.user_requests(user=request.user),
            "changes": user_changes(user=request.user),
            "can_request": user_customers_may(
                user=request.user, ability=Ability.REQUEST_SUBMIT
            ).exists(),
            "nav": "requests",
        },
    )


def change_refusal(proxy_request) -> str:
    """Return why ``proxy_request`` can't take a change now, or "" when it can."""
    try:
        transition_check(request=proxy_request, action=CHANGE)
    except IllegalTransition as exc:
        return " ".join(exc.messages)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def change_create(request, pk):
    """Show the change form for a live request; submit it when valid (then redirect)."""
    proxy_request = selectors.user_request_get(user=request.user, pk=pk)
    customer = proxy_request.app.customer
    if not user_may(user=request.user, ability=Ability.CHANGE_ASK, customer=customer):
        raise PermissionDenied(rule_refusal(Ability.CHANGE_ASK, doing="ask for changes"))
    refusal = change_refusal(proxy_request)
    form = ChangeForm(
        request.POST if request.method == "POST" and not refusal else None,
        proxy_request=proxy_request,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            change = change_request_submit(
                request=proxy_request,
                concurrency=data["concurrency"],
                regions=list(data["regions"]),
                isps=list(data["isps"]),
                reason=data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                f"Change #{change.pk} submitted: {change.summary}. Our team reviews it; "
                "your admins get an e-mail when it is applied.",
            )
            return redirect("portal_request_detail", pk=proxy_request.pk)
    return render(
        request,
        "portal/change_form.html",
        {"req": proxy_request, "form": form, "refusal": refusal, "nav": "requests"},
        status=400 if form.errors or (refusal and request.method == "POST") else 200,
    )
