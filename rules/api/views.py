"""Customers' firewall rules: versions, the cheap version check, downloads, changes, formats."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts.api.docs import IF_NONE_MATCH, error_responses
from accounts.api.permissions import HasScope, is_api_key
from accounts.api.scoping import caller_apps
from accounts.choices import ApiKeyScope
from accounts.permissions import Ability, member_may
from rules import selectors as rule_selectors
from rules.api.serializers import (
    FormatSerializer,
    RuleChangesQuerySerializer,
    RuleDownloadQuerySerializer,
    RuleSetActivationSerializer,
    RuleSetSerializer,
    RuleSetVersionSerializer,
)
from rules.choices import AcknowledgementSource
from rules.constants import LATEST
from rules.exports import registry as formats
from rules.models import RuleSet
from rules.services.activation import rule_version_acknowledge
from rules.services.exports import rule_export_get_or_render, rule_set_delta_render

NO_RULE_SET = "This app has no published rule set yet; it gets one when proxies are allocated."


class RulesView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.RULES

    def get_app(self):
        return get_object_or_404(caller_apps(request=self.request), app_id=self.kwargs["app_id"])


def _rule_set(app, version: str) -> RuleSet:
    try:
        return rule_selectors.rule_set_resolve(app=app, version=version)
    except RuleSet.DoesNotExist as exc:
        if version == LATEST:
            raise NotFound(NO_RULE_SET, code="no_rule_set") from exc
        raise NotFound(f"App {app.app_id} has no rule set version {version}.") from exc


@extend_schema(tags=["rules"])
@extend_schema_view(
    get=extend_schema(
        operation_id="rules_list",
        summary="List an app's rule-set versions, newest first",
        responses={
            200: RuleSetSerializer(many=True),
            **error_responses(401, 403, 404, 429, e404="Not yours, or no such page."),
        },
    )
)
class RuleSetListView(RulesView, generics.ListAPIView):
    serializer_class = RuleSetSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RuleSet.objects.none()
        return rule_selectors.rule_set_list(app=self.get_app())


@extend_schema(tags=["rules"])
class RuleSetVersionView(RulesView):
    serializer_class = RuleSetVersionSerializer

    @extend_schema(
        operation_id="rules_version",
        summary="Latest version and its sha256 (cheap: poll this)",
        responses={
            200: RuleSetVersionSerializer,
            **error_responses(401, 403, 404, 429, e404="Not yours, or no rule set yet."),
        },
    )
    def get(self, request, app_id):
        rule_set = _rule_set(self.get_app(), LATEST)
        data = {
            "app_id": app_id,
            "version": rule_set.version,
            "sha256": rule_set.sha256,
            "created_at": rule_set.created_at,
        }
        return Response(RuleSetVersionSerializer(data).data)


@extend_schema(tags=["rules"])
class RuleSetDownloadView(RulesView):
    serializer_class = RuleDownloadQuerySerializer

    @extend_schema(
        summary="Download a rule set in a firewall's format",
        description="Answers the file with Content-Disposition and an ETag (its sha256); "
        "If-None-Match with that ETag answers 304. `latest` is the newest version.",
        parameters=[RuleDownloadQuerySerializer, IF_NONE_MATCH],
        responses={
            **{
                (200, mime_type): OpenApiResponse(
                    OpenApiTypes.OBJECT if mime_type == "application/json" else OpenApiTypes.BINARY,
                    description="The file, in the format's MIME type.",
                )
                for mime_type in sorted({fmt.mime_type for fmt in formats.FORMATS.values()})
            },
            304: OpenApiResponse(description="Not modified."),
            **error_responses(
                400, 401, 403, 404, 409, 429, e409="The export could not be rendered."
            ),
        },
    )
    def get(self, request, app_id, version):
        query = RuleDownloadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        format_name = formats.format_get(query.validated_data["format"]).name
        rule_set = _rule_set(self.get_app(), version)
        export = rule_export_get_or_render(rule_set=rule_set, format_name=format_name)
        return _file_response(request, export)


def _file_response(request, export) -> HttpResponse:
    etag = f'"{export.sha256}"'
    # Django compares If-None-Match weakly, as RFC 9110 asks of GET.
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(export.content, content_type=export.mime_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


@extend_schema(tags=["rules"])
class RuleSetChangesView(RulesView):
    serializer_class = RuleChangesQuerySerializer

    @extend_schema(
        operation_id="rules_changes",
        summary="What changed since a version you have",
        parameters=[RuleChangesQuerySerializer],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Added, removed, changed, each with its `effective_at`; "
                "`in_effect` is the version SDKs are served, `pending_version` and "
                "`effective_at` the newest one not yet in effect (null when none).",
            ),
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def get(self, request, app_id):
        query = RuleChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        app = self.get_app()
        since = query.validated_data["since"]
        changes = rule_selectors.rule_set_changes(app=app, since=since)
        format_name = query.validated_data.get("format")
        if format_name:
            delta = rule_set_delta_render(
                old=_rule_set(app, since), new=_rule_set(app, LATEST), format_name=format_name
            )
            changes = {
                **changes,
                "commands": {
                    "format": delta.format_name,
                    "incremental": delta.incremental,
                    "content": delta.content,
                },
            }
        return Response(changes)


@extend_schema(tags=["rules"])
class RuleSetAcknowledgeView(RulesView):
    serializer_class = RuleSetActivationSerializer

    @extend_schema(
        operation_id="rules_acknowledge",
        summary="Tell us your firewall allows a version: SDKs get its addresses now",
        description="A version that adds addresses reaches SDKs at its `effective_at` "
        "(see the change feed and the SDK answer's `pending_version`), or as soon as you "
        "acknowledge it here, whichever comes first. Acknowledging again changes nothing. "
        "API keys need the `rules` scope; in the portal, the customer's admins.",
        request=None,
        responses={
            200: RuleSetActivationSerializer,
            **error_responses(401, 403, 404, 429, e404="Not yours, or no such version."),
        },
    )
    def post(self, request, app_id, version):
        app = self.get_app()
        api_key = request.auth if is_api_key(request) else None
        if api_key is None and not member_may(
            user=request.user, ability=Ability.APP_MANAGE, customer=app.customer
        ):
            raise PermissionDenied("Only the customer's admins may acknowledge a version.")
        try:
            activation = rule_version_acknowledge(
                app, version, source=AcknowledgementSource.API, user=request.user,
                api_key=api_key,
            )  # fmt: skip
        except RuleSet.DoesNotExist as exc:
            raise NotFound(f"App {app.app_id} has no rule set version {version}.") from exc
        return Response(RuleSetActivationSerializer(activation).data)


@extend_schema(tags=["rules"])
@extend_schema_view(
    get=extend_schema(
        summary="List the firewall formats rules can be downloaded in",
        responses={
            200: FormatSerializer(many=True),
            **error_responses(401, 403, 404, 429, e404="No such page."),
        },
    )
)
class FormatListView(generics.ListAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.RULES
    serializer_class = FormatSerializer
    filter_backends = []

    def get_queryset(self):
        return sorted(formats.FORMATS.values(), key=lambda fmt: fmt.name)
