"""Pages of the customer portal. Each view parses, calls a selector or service, and renders."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import Ability, user_may
from accounts.selectors import (
    user_api_key_get,
    user_api_keys,
    user_app_get,
    user_apps,
    user_customers,
    user_customers_may,
)
from accounts.services.api_keys import api_key_create, api_key_revoke
from provisioning.portal.activation import activation_context
from provisioning.portal.certificates import new_certificate_pop
from provisioning.portal.changes import change_refusal
from provisioning.portal.forms import ApiKeyForm, RequestForm
from provisioning.portal.new_key import new_key_pop, new_key_remember
from provisioning.portal.services import portal_request_submit
from provisioning.selectors import portal as selectors
from provisioning.selectors.allocations import app_environment
from provisioning.selectors.changes import request_changes
from provisioning.selectors.portal_rules import app_rules_summary
from rules.exceptions import RuleExportFailed
from rules.exports.registry import FORMATS
from rules.models import RuleSet
from rules.selectors import rule_set_resolve
from rules.services.exports import rule_export_get_or_render


@login_required
@require_GET
def dashboard(request):
    """List the user's apps with their request status and environment."""
    return render(
        request,
        "portal/dashboard.html",
        {
            "rows": selectors.dashboard_rows(user=request.user),
            "customers": user_customers(user=request.user),
            "can_request": user_customers_may(
                user=request.user, ability=Ability.REQUEST_SUBMIT
            ).exists(),
            "nav": "dashboard",
        },
    )


@login_required
@require_GET
def app_detail(request, app_id):
    """Show one app: environment, endpoints, firewall rules and SDK snippets."""
    app = user_app_get(user=request.user, app_id=app_id)
    groups = selectors.app_endpoint_groups(app=app)
    response = render(
        request,
        "portal/app_detail.html",
        {
            "app": app,
            "current_request": selectors.app_open_request(app=app),
            "environment": app_environment(app=app),
            "groups": groups,
            "endpoint_count": sum(len(group.addresses) for group in groups),
            "sdk_config_url": request.build_absolute_uri("/api/v1/sdk/proxy-config"),
            "sdk_base_url": request.build_absolute_uri("/").rstrip("/"),
            "sdk_client_url": request.build_absolute_uri(static("sdk/proxy-config.js")),
            "app_token_max_ttl": settings.APP_TOKEN_MAX_TTL,
            "rules": app_rules_summary(app=app, since=request.GET.get("since")),
            "activation": activation_context(app=app),
            "can_manage": user_may(
                user=request.user, ability=Ability.APP_MANAGE, customer=app.customer
            ),
            "new_certificate": new_certificate_pop(request=request, app=app),
            "nav": "dashboard",
        },
    )
    # A new certificate is shown on this page once; keep every version out of caches.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def rules_download(request, app_id, version, format_name):
    """Serve one rule set version in one firewall format, as the API does."""
    app = user_app_get(user=request.user, app_id=app_id)
    if format_name not in FORMATS:
        raise Http404("Unknown format.")
    try:
        rule_set = rule_set_resolve(app=app, version=version)
    except RuleSet.DoesNotExist:
        raise Http404("No such rule set version.") from None
    try:
        export = rule_export_get_or_render(rule_set=rule_set, format_name=format_name)
    except RuleExportFailed as exc:
        messages.error(request, f"That file could not be produced: {' '.join(exc.messages)}")
        return redirect(f"{reverse('portal_app_detail', args=[app.app_id])}#rules")
    response = HttpResponse(export.content, content_type=export.mime_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["ETag"] = f'"{export.sha256}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    """Show the request form; submit it when valid, keeping every error by its field."""
    submitters = user_customers_may(user=request.user, ability=Ability.REQUEST_SUBMIT)
    apps = user_apps(user=request.user).filter(customer__in=submitters)
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        apps=apps,
        initial={"app": request.GET.get("app")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = portal_request_submit(
                app=data["app"],
                regions=list(data["regions"]),
                isps=list(data["isps"]),
                concurrency=data["concurrency"],
                source_networks=data["source_networks"],
                notes=data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"Request #{created.pk} submitted. We will be in touch.")
            return redirect("portal_request_detail", pk=created.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "portal/request_form.html",
        {"form": form, "has_apps": apps.exists(), "nav": "request"},
        status=status,
    )


@login_required
@require_GET
def request_detail(request, pk):
    """Show one request with its status timeline and allocations."""
    provisioning_request = selectors.user_request_get(user=request.user, pk=pk)
    customer = provisioning_request.app.customer
    can_change = user_may(user=request.user, ability=Ability.CHANGE_ASK, customer=customer)
    return render(
        request,
        "portal/request_detail.html",
        {
            "req": provisioning_request,
            "events": selectors.request_timeline(request=provisioning_request),
            "allocations": provisioning_request.allocations.order_by("-created_at"),
            "changes": request_changes(request=provisioning_request),
            "can_change": can_change and not change_refusal(provisioning_request),
            "nav": "requests",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """List API keys; create one and show its secret this once."""
    customers = user_customers_may(user=request.user, ability=Ability.API_KEYS_MANAGE)
    form = ApiKeyForm(request.POST if request.method == "POST" else None, customers=customers)
    if request.method == "POST":
        if not customers:
            raise Http404("No customer to create keys for.")
        if form.is_valid():
            api_key, raw_key = api_key_create(
                customer=form.cleaned_data["customer"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
            )
            # Post/redirect/get: a reload shows the list, it never mints a second key.
            new_key_remember(request=request, api_key=api_key, raw_key=raw_key)
            return redirect("portal_api_keys")
    new_key = new_key_pop(request=request) if request.method == "GET" else None
    response = render(
        request,
        "portal/api_keys.html",
        {
            "form": form,
            "keys": user_api_keys(user=request.user),
            "new_key": new_key,
            "can_manage": customers.exists(),
            "customers_count": user_customers(user=request.user).count(),
            "nav": "keys",
        },
        status=400 if form.errors else 200,
    )
    # The secret is on this page only; keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_revoke_view(request, pk):
    """Revoke an API key at once."""
    api_key = user_api_key_get(user=request.user, pk=pk)
    api_key_revoke(api_key=api_key, actor=request.user)
    messages.success(request, f"Key \u201c{api_key.name}\u201d ({api_key.prefix}\u2026) revoked.")
    return redirect(reverse("portal_api_keys"))
