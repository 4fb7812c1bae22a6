"""Customers' webhook endpoints: add (the secret is in that one answer), list, change,
delete, rotate the secret, send a test event, read the delivery log and resend.

API keys need the ``rules`` scope; portal sessions read as any member and change as the
customer's admins. Another customer's app or endpoint is 404.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.api.docs import error_responses
from accounts.api.permissions import HasScope, is_api_key
from accounts.api.scoping import caller_apps
from accounts.choices import ApiKeyScope
from accounts.permissions import Ability, member_may
from webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWriteSerializer,
    WebhookSecretSerializer,
)
from webhooks.models import WebhookDelivery, WebhookEndpoint
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

REFUSED = "Only the customer's admins may change webhooks."
APP_ID = OpenApiParameter(
    "app_id", str, OpenApiParameter.PATH, description="App ID (32 lowercase hex characters)."
)
ENDPOINT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Endpoint id.")
DELIVERY_ID = OpenApiParameter(
    "delivery_id", int, OpenApiParameter.PATH, description="Delivery id."
)
ERRORS = error_responses(401, 403, 404, 429, e404="No such app or endpoint, or not yours.")
WRITE_ERRORS = error_responses(
    400, 401, 403, 404, 429, e403="Missing `rules` scope, or not a customer admin."
)


def _secret_response(endpoint, secret, *, status_code=status.HTTP_200_OK) -> Response:
    body = WebhookSecretSerializer(endpoint).data | {"secret": secret}
    response = Response(body, status=status_code)
    response["Cache-Control"] = "no-store"
    return response


class _WebhookView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.RULES
    serializer_class = WebhookEndpointSerializer

    def app(self):
        return get_object_or_404(caller_apps(request=self.request), app_id=self.kwargs["app_id"])

    def managed_app(self):
        app = self.app()
        request = self.request
        if not (
            is_api_key(request)
            or request.user.is_staff
            or member_may(user=request.user, ability=Ability.APP_MANAGE, customer=app.customer)
        ):
            raise PermissionDenied(REFUSED)
        return app

    def endpoint(self, *, manage: bool = False) -> WebhookEndpoint:
        app = self.managed_app() if manage else self.app()
        return app_webhook_get(app=app, pk=self.kwargs["pk"])


@extend_schema(tags=["webhooks"], parameters=[APP_ID])
@extend_schema_view(
    get=extend_schema(
        summary="List your app's webhook endpoints",
        responses={200: WebhookEndpointSerializer(many=True), **ERRORS},
    )
)
class WebhookListCreateView(_WebhookView, generics.ListAPIView):
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return app_webhooks(app=self.app())

    @extend_schema(
        summary="Add a webhook endpoint (its secret is shown once)",
        description="Events are signed per Standard Webhooks (`webhook-id`, "
        "`webhook-timestamp`, `webhook-signature`) with the `secret` in this answer. "
        "The URL must be https:// and reach a public address.",
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookSecretSerializer, **WRITE_ERRORS},
    )
    def post(self, request, app_id):
        app = self.managed_app()
        serializer = WebhookEndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(
            app=app, actor=request.user, **serializer.validated_data
        )
        return _secret_response(endpoint, secret, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["webhooks"], parameters=[APP_ID, ENDPOINT_ID])
class WebhookDetailView(_WebhookView):
    @extend_schema(
        summary="Show a webhook endpoint", responses={200: WebhookEndpointSerializer, **ERRORS}
    )
    def get(self, request, app_id, pk):
        return Response(WebhookEndpointSerializer(self.endpoint()).data)

    @extend_schema(
        summary="Change a webhook endpoint's URL, events, description, or enable it",
        description="Fields left out stay as they are. `enabled: true` on an endpoint "
        "disabled after failures sends to it again.",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, app_id, pk):
        endpoint = self.endpoint(manage=True)
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(
            endpoint=endpoint, actor=request.user, **serializer.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Delete a webhook endpoint and its delivery log",
        responses={204: None, **error_responses(401, 403, 404, 429)},
    )
    def delete(self, request, app_id, pk):
        webhook_endpoint_delete(endpoint=self.endpoint(manage=True), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"], parameters=[APP_ID, ENDPOINT_ID])
class WebhookRotateView(_WebhookView):
    @extend_schema(
        summary="Rotate the endpoint's secret (the new one is shown once)",
        description="Messages carry signatures with both the new and the previous secret "
        "until `previous_secret_expires_at` (WEBHOOK_SECRET_OVERLAP_SECONDS, 24 h).",
        request=None,
        responses={200: WebhookSecretSerializer, **WRITE_ERRORS},
    )
    def post(self, request, app_id, pk):
        endpoint, secret = webhook_endpoint_rotate(
            endpoint=self.endpoint(manage=True), actor=request.user
        )
        return _secret_response(endpoint, secret)


@extend_schema(tags=["webhooks"], parameters=[APP_ID, ENDPOINT_ID])
class WebhookTestView(_WebhookView):
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        summary="Send a test event (`webhook.test`) to the endpoint",
        request=None,
        responses={202: WebhookDeliverySerializer, **WRITE_ERRORS},
    )
    def post(self, request, app_id, pk):
        delivery = webhook_test_send(endpoint=self.endpoint(manage=True))
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["webhooks"], parameters=[APP_ID, ENDPOINT_ID])
@extend_schema_view(
    get=extend_schema(
        summary="The endpoint's delivery log, newest first, with every attempt",
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS},
    )
)
class WebhookDeliveryListView(_WebhookView, generics.ListAPIView):
    serializer_class = WebhookDeliverySerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return endpoint_deliveries(endpoint=self.endpoint())


@extend_schema(tags=["webhooks"], parameters=[APP_ID, ENDPOINT_ID, DELIVERY_ID])
class WebhookDeliveryResendView(_WebhookView):
    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        summary="Send a delivery again (same webhook-id, signed afresh, retried anew)",
        request=None,
        responses={202: WebhookDeliverySerializer, **WRITE_ERRORS},
    )
    def post(self, request, app_id, pk, delivery_id):
        endpoint = self.endpoint(manage=True)
        delivery = endpoint_delivery_get(endpoint=endpoint, pk=delivery_id)
        delivery = webhook_delivery_resend(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
