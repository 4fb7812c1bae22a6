"""The browser connectivity check: a page that tries a TURN relay on every proxy and
transport from the visitor's browser and reports what got through, for members and, by a
signed time-limited link, for a colleague who has no account. Also the probe download."""

import ipaddress
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework.throttling import BaseThrottle

from accounts.permissions import Ability, member_may
from accounts.selectors import user_app_get, user_managed_app_get
from provisioning.models import ConnectivityReport
from provisioning.selectors.connectivity import (
    connectivity_probe_script,
    connectivity_report_missing,
)
from provisioning.services.connectivity import connectivity_report_record
from provisioning.services.connectivity_check import connectivity_check_data
from provisioning.services.connectivity_links import (
    LinkInvalid,
    LinkThrottled,
    connectivity_link_app,
    connectivity_link_create,
    connectivity_link_report_record,
)
from rules.exports.registry import FORMATS, format_get
from rules.models import RuleSet

DEFAULT_FORMAT = "nftables"
MAX_BODY_BYTES = 1_000_000
_idents = BaseThrottle()


def _client_address(request) -> str | None:
    try:
        return str(ipaddress.ip_address((_idents.get_ident(request) or "").strip()))
    except ValueError:
        return None


def _page(request, app, *, base: str, public: bool):
    data = connectivity_check_data(app=app)
    context = {
        "app": app,
        "data": data,
        # Members post with their session, so with the CSRF token; a link's token is its
        # own credential.
        "urls": {
            "report": f"{base}report/",
            "missing": f"{base}reports/0/missing/",
            "csrf": "" if public else get_token(request),
        },
        "formats": sorted(FORMATS.values(), key=lambda fmt: fmt.label.lower()),
        "default_format": DEFAULT_FORMAT,
        "public": public,
        "can_manage": not public
        and member_may(user=request.user, ability=Ability.APP_MANAGE, customer=app.customer),
        "nav": "dashboard",
    }
    response = render(request, "portal/connectivity_check.html", context)
    # The page holds TURN credentials: keep it out of caches.
    response["Cache-Control"] = "no-store"
    return response


def _body(request) -> dict | None:
    if len(request.body) > MAX_BODY_BYTES:
        return None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _invalid(exc: ValidationError) -> JsonResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"results": exc.messages}
    return JsonResponse({"code": "invalid", "fields": fields}, status=400)


def _stored(report) -> JsonResponse:
    answer = {"id": report.pk, "passed": report.passed, "tried": report.tried}
    return JsonResponse({**answer, "blocked": report.blocked}, status=201)


NOT_JSON = {"code": "invalid", "message": "Send a JSON object of at most 1 MB."}


def _report(request, app, *, actor):
    body = _body(request)
    if body is None:
        return JsonResponse(NOT_JSON, status=400)
    try:
        report = connectivity_report_record(
            app=app, version=body.get("version"), source="browser", results=body.get("results"),
            source_address=_client_address(request), actor=actor,
        )  # fmt: skip
    except ValidationError as exc:
        return _invalid(exc)
    return _stored(report)


def _missing(request, app, pk: int):
    report = get_object_or_404(ConnectivityReport.objects.filter(app=app), pk=pk)
    format_name = request.GET.get("format") or DEFAULT_FORMAT
    try:
        fmt = format_get(format_name)
    except ValidationError:
        raise Http404("Unknown format.") from None
    lines = connectivity_report_missing(report=report, format_name=fmt.name)
    return JsonResponse({"format": fmt.name, "label": fmt.label, "lines": lines})


def _base(app_id: str) -> str:
    return reverse("portal_connectivity_check", args=[app_id])


@login_required
@require_GET
def check(request, app_id):
    """Show the browser check of one of the member's apps."""
    app = user_app_get(user=request.user, app_id=app_id)
    return _page(request, app, base=_base(app.app_id), public=False)


@login_required
@require_POST
def report(request, app_id):
    """Store what the member's browser found (JSON in, the report's figures out)."""
    app = user_app_get(user=request.user, app_id=app_id)
    return _report(request, app, actor=request.user)


@login_required
@require_GET
def missing(request, app_id, pk):
    """Answer the rule lines a report of the member's app found missing, in a format."""
    return _missing(request, user_app_get(user=request.user, app_id=app_id), pk)


@login_required
@require_POST
def link_create(request, app_id):
    """Create a link to the check that works without signing in, for a while."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    token, expires_at = connectivity_link_create(app=app, actor=request.user)
    url = request.build_absolute_uri(reverse("connectivity_public_check", args=[token]))
    messages.success(
        request,
        f"Send this link to a colleague inside your network; it works without signing in "
        f"until {expires_at:%Y-%m-%d %H:%M} UTC: {url}",
    )
    return redirect("portal_connectivity_check", app_id=app.app_id)


@login_required
@require_GET
def probe_download(request, app_id):
    """Serve the command-line probe with the app's entries embedded, as the API does."""
    app = user_app_get(user=request.user, app_id=app_id)
    try:
        rule_set, script = connectivity_probe_script(
            app=app, base_url=request.build_absolute_uri("/")
        )
    except RuleSet.DoesNotExist:
        raise Http404("This app has no rules yet.") from None
    response = HttpResponse(script, content_type="text/x-python; charset=utf-8")
    name = f"probe-{app.app_id}-{rule_set.version}.py"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _link_app(token: str):
    app = connectivity_link_app(token=token)
    if app is None:
        raise Http404("This link is not valid any more; ask for a new one.")
    return app


@require_GET
def public_check(request, token):
    """Show the browser check to anyone holding a valid link."""
    base = reverse("connectivity_public_check", args=[token])
    return _page(request, _link_app(token), base=base, public=True)


@csrf_exempt  # The signed token in the path is the credential; no cookie is involved.
@require_POST
def public_report(request, token):
    """Store what a link holder's browser found; a link sends a few reports an hour."""
    body = _body(request)
    if body is None:
        return JsonResponse(NOT_JSON, status=400)
    try:
        report = connectivity_link_report_record(
            token=token, version=body.get("version"), results=body.get("results"),
            source_address=_client_address(request),
        )  # fmt: skip
    except LinkInvalid:
        raise Http404("This link is not valid any more; ask for a new one.") from None
    except LinkThrottled:
        message = "This link sent many reports this hour; try again later."
        return JsonResponse({"code": "throttled", "message": message}, status=429)
    except ValidationError as exc:
        return _invalid(exc)
    return _stored(report)


@require_GET
def public_missing(request, token, pk):
    return _missing(request, _link_app(token), pk)
