"""Connectivity checks of customers' firewalls: the probe script, and the reports that the
probe and the browser check page send back. API keys need the ``rules`` scope: the
reports are about whether the firewall rules are loaded, and the probe embeds them."""

import ipaddress

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from accounts.api.docs import error_responses
from accounts.api.permissions import HasScope
from accounts.choices import ApiKeyScope
from provisioning.api.scoping import caller_apps
from provisioning.api.serializers.connectivity import (
    ConnectivityReportInputSerializer,
    ConnectivityReportSerializer,
)
from provisioning.api.views.customer import APP_ID_PARAMETER
from provisioning.models import ConnectivityReport
from provisioning.selectors.connectivity import connectivity_probe_script, connectivity_reports
from provisioning.services.connectivity import connectivity_report_record
from rules.models import RuleSet

_idents = BaseThrottle()


def client_address(request) -> str | None:
    """Return the caller's address as the API's settings trust it (NUM_PROXIES)."""
    try:
        return str(ipaddress.ip_address((_idents.get_ident(request) or "").strip()))
    except ValueError:
        return None


class _ConnectivityView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.RULES

    def get_app(self):
        return get_object_or_404(caller_apps(request=self.request), app_id=self.kwargs["app_id"])


@extend_schema(tags=["connectivity"], parameters=[APP_ID_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        operation_id="connectivity_reports_list",
        summary="List the app's connectivity reports, newest first",
        responses={
            200: ConnectivityReportSerializer(many=True),
            **error_responses(401, 403, 404, 429, e404="Not yours, or no such page."),
        },
    )
)
class ConnectivityReportListCreateView(_ConnectivityView, generics.ListAPIView):
    serializer_class = ConnectivityReportSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConnectivityReport.objects.none()
        return connectivity_reports(app=self.get_app()).prefetch_related("results")

    @extend_schema(
        operation_id="connectivity_reports_create",
        summary="Report what your network let through (the probe's --report does this)",
        description="Every result must be an address, protocol and port of the version's "
        "entries; the whole report is refused otherwise. A passing report on a pending "
        "version acknowledges it; a failing one on the live version alerts our ops.",
        request=ConnectivityReportInputSerializer,
        responses={201: ConnectivityReportSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, app_id):
        app = self.get_app()
        data = ConnectivityReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = connectivity_report_record(
            app=app,
            version=data.validated_data.get("version"),
            source=data.validated_data["source"],
            results=[dict(item) for item in data.validated_data["results"]],
            source_address=client_address(request),
            actor=request.user,
        )
        body = ConnectivityReportSerializer(report).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["connectivity"])
class ProbeScriptView(_ConnectivityView):
    @extend_schema(
        operation_id="connectivity_probe_script",
        summary="Download the command-line probe with the app's entries embedded",
        parameters=[APP_ID_PARAMETER],
        responses={
            (200, "text/x-python"): OpenApiResponse(OpenApiTypes.STR, description="probe.py"),
            **error_responses(401, 403, 404, 429, e404="Not yours, or no rule set yet."),
        },
    )
    def get(self, request, app_id):
        app = self.get_app()
        try:
            rule_set, script = connectivity_probe_script(
                app=app, base_url=request.build_absolute_uri("/")
            )
        except RuleSet.DoesNotExist as exc:
            raise NotFound(str(exc), code="no_rule_set") from exc
        response = HttpResponse(script, content_type="text/x-python; charset=utf-8")
        filename = f"probe-{app.app_id}-{rule_set.version}.py"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-cache"
        return response
