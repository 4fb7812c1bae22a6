"""Customers rotate an app's certificate through the API: generate a secondary (its secret
is in this one answer), promote it to primary, remove it. Customer admins' sessions, or API
keys with the ``certificates`` scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.api.docs import error_responses
from accounts.api.permissions import HasScope, caller_may
from accounts.choices import ApiKeyScope
from accounts.permissions import Ability, refusal
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)
from provisioning.api.scoping import caller_app_detail
from provisioning.api.serializers.customer import AppDetailSerializer
from provisioning.api.views.customer import APP_ID_PARAMETER

REFUSED = refusal(Ability.APP_MANAGE, doing="change app certificates")


class NewCertificateSerializer(serializers.Serializer):
    secondary_certificate = serializers.CharField(
        help_text="The new secondary certificate (32 hex characters, the key of app tokens "
        "as text). Shown only in this answer: store it in your token server now."
    )
    secondary_certificate_fingerprint = serializers.CharField(
        help_text="Start of its SHA-256, as the app's details and history show it."
    )


class _CertificateView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.CERTIFICATES
    serializer_class = AppDetailSerializer

    def managed_app(self, request, app_id):
        detail = caller_app_detail(request=request, app_id=app_id)
        app = detail.app
        if not caller_may(request=request, ability=Ability.APP_MANAGE, customer=app.customer):
            raise PermissionDenied(REFUSED)
        return detail

    def detail_response(self, request, app_id):
        detail = caller_app_detail(request=request, app_id=app_id)
        context = {"environment": detail.environment, "open_request": detail.open_request}
        return Response(AppDetailSerializer(detail.app, context=context).data)


@extend_schema(tags=["apps"])
class SecondaryCertificateView(_CertificateView):
    @extend_schema(
        summary="Generate a secondary app certificate (tokens of both are accepted)",
        description="Fails with 400 (`secondary_certificate`) when the app already has one: "
        "promote or remove it first. Audited in the app's history.",
        parameters=[APP_ID_PARAMETER],
        request=None,
        responses={201: NewCertificateSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, app_id):
        app = self.managed_app(request, app_id).app
        secret = app_secondary_certificate_generate(app=app, actor=request.user)
        body = {
            "secondary_certificate": secret,
            "secondary_certificate_fingerprint": app.secondary_certificate_fingerprint,
        }
        response = Response(NewCertificateSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Remove the secondary app certificate (its tokens are refused at once)",
        parameters=[APP_ID_PARAMETER],
        responses={200: AppDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def delete(self, request, app_id):
        app = self.managed_app(request, app_id).app
        app_secondary_certificate_remove(app=app, actor=request.user)
        return self.detail_response(request, app_id)


@extend_schema(tags=["apps"])
class SecondaryCertificatePromoteView(_CertificateView):
    @extend_schema(
        summary="Promote the secondary app certificate to primary",
        description="The old primary becomes the secondary, so tokens signed with it keep "
        "working until it is removed.",
        parameters=[APP_ID_PARAMETER],
        request=None,
        responses={200: AppDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request, app_id):
        app = self.managed_app(request, app_id).app
        app_secondary_certificate_promote(app=app, actor=request.user)
        return self.detail_response(request, app_id)
