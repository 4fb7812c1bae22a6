"""Portal pages of an app's webhooks: add an endpoint (its secret shown once), enable or
disable, rotate, test and delete it, read its delivery log and resend a delivery.

Members read; only the customer's admins change anything (others get 404 on the POSTs,
as elsewhere in the portal). Every change is a POST answered with a redirect
(post/redirect/get): a new secret waits in the server-side session for the one page that
shows it, never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import Ability, member_may
from accounts.selectors import user_app_get, user_managed_app_get
from webhooks.portal.forms import WebhookForm
from webhooks.selectors import (
    app_webhook_get,
    app_webhooks,
    endpoint_deliveries,
    endpoint_delivery_get,
)
from webhooks.services.endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate,
    webhook_endpoint_update,
)
from webhooks.services.events import webhook_delivery_resend, webhook_test_send

SESSION_KEY = "portal_new_webhook_secret"
DELIVERIES_PER_PAGE = 25


def _remember_secret(request, endpoint, secret: str) -> None:
    request.session[SESSION_KEY] = {"endpoint_id": endpoint.pk, "secret": secret}


def _pop_secret(request, app) -> dict | None:
    stored = request.session.pop(SESSION_KEY, None)
    if not stored:
        return None
    endpoint = app_webhooks(app=app).filter(pk=stored["endpoint_id"]).first()
    # Shown only while it is still the endpoint's secret (not rotated again meanwhile).
    if endpoint is None or endpoint.secret != stored["secret"]:
        return None
    return {"endpoint": endpoint, "secret": stored["secret"]}


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request, app_id):
    """List the app's endpoints; customer admins add one here."""
    if request.method == "POST":
        app = user_managed_app_get(user=request.user, app_id=app_id)
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = webhook_endpoint_create(
                    app=app, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                _remember_secret(request, endpoint, secret)
                messages.success(request, f"Webhook endpoint {endpoint.url} added.")
                return redirect("portal_webhooks", app_id=app.app_id)
    else:
        app = user_app_get(user=request.user, app_id=app_id)
        form = WebhookForm()
    context = {
        "app": app,
        "endpoints": app_webhooks(app=app),
        "form": form,
        "can_manage": member_may(
            user=request.user, ability=Ability.APP_MANAGE, customer=app.customer
        ),
        "new_secret": _pop_secret(request, app) if request.method == "GET" else None,
        "nav": "dashboard",
    }
    return _no_store(render(request, "portal/webhooks.html", context))


@login_required
@require_GET
def webhook_detail(request, app_id, pk):
    """Show one endpoint and its delivery log, newest first, with every attempt."""
    app = user_app_get(user=request.user, app_id=app_id)
    endpoint = app_webhook_get(app=app, pk=pk)
    page = Paginator(endpoint_deliveries(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "app": app,
        "endpoint": endpoint,
        "page": page,
        "can_manage": member_may(
            user=request.user, ability=Ability.APP_MANAGE, customer=app.customer
        ),
        "nav": "dashboard",
    }
    return render(request, "portal/webhook_detail.html", context)


def _enable(request, endpoint):
    webhook_endpoint_update(endpoint=endpoint, enabled=True, actor=request.user)
    return "Endpoint enabled: events are sent to it again."


def _disable(request, endpoint):
    webhook_endpoint_update(endpoint=endpoint, enabled=False, actor=request.user)
    return "Endpoint disabled: no events are sent to it until you enable it."


def _rotate(request, endpoint):
    endpoint, secret = webhook_endpoint_rotate(endpoint=endpoint, actor=request.user)
    _remember_secret(request, endpoint, secret)
    return "New secret generated; the previous one keeps signing until the time shown."


def _test(request, endpoint):
    webhook_test_send(endpoint=endpoint)
    return "Test event queued: see the delivery log."


def _delete(request, endpoint):
    webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    return f"Endpoint {endpoint.url} deleted."


ACTIONS = {
    "enable": _enable,
    "disable": _disable,
    "rotate": _rotate,
    "test": _test,
    "delete": _delete,
}


@login_required
@require_POST
def webhook_action_view(request, app_id, pk, action):
    """Enable, disable, rotate, test or delete an endpoint; back to the webhooks page."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    app = user_managed_app_get(user=request.user, app_id=app_id)
    endpoint = app_webhook_get(app=app, pk=pk)
    try:
        messages.success(request, ACTIONS[action](request, endpoint))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("portal_webhooks", app_id=app.app_id)


@login_required
@require_POST
def delivery_resend_view(request, app_id, pk, delivery_id):
    """Send a delivery again; back to its endpoint's log."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    endpoint = app_webhook_get(app=app, pk=pk)
    delivery = endpoint_delivery_get(endpoint=endpoint, pk=delivery_id)
    try:
        webhook_delivery_resend(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Delivery {delivery.message_id} queued again.")
    return redirect(reverse("portal_webhook_detail", args=[app.app_id, endpoint.pk]))
