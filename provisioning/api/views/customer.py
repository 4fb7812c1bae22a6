"""Customers' endpoints: their apps and proxy requests (API key or portal session)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.api.docs import error_responses
from accounts.api.permissions import HasScope, caller_may, is_api_key
from accounts.choices import ApiKeyScope
from accounts.models import App
from accounts.permissions import Ability, refusal
from provisioning.api.filters import RequestFilter
from provisioning.api.scoping import caller_app_detail, caller_apps, caller_requests
from provisioning.api.serializers.customer import (
    AppDetailSerializer,
    AppSerializer,
    AppUpdateSerializer,
    RequestCreateSerializer,
    RequestDetailSerializer,
    RequestSerializer,
)
from provisioning.models import ProvisioningRequest
from provisioning.services.apps import app_source_networks_set
from provisioning.services.requests import request_submit

APP_ID_PARAMETER = OpenApiParameter(
    "app_id", str, OpenApiParameter.PATH, description="App ID (32 lowercase hex characters)."
)

APP_MANAGE, REQUEST_SUBMIT = Ability.APP_MANAGE, Ability.REQUEST_SUBMIT


@extend_schema(tags=["apps"])
@extend_schema_view(
    get=extend_schema(
        summary="List your apps",
        responses={
            200: AppSerializer(many=True),
            **error_responses(401, 403, 404, 429, e404="No such page."),
        },
    )
)
class AppListView(generics.ListAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.READ
    serializer_class = AppSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return App.objects.none()
        return caller_apps(request=self.request)


@extend_schema(tags=["apps"])
class AppDetailView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = AppDetailSerializer

    def get_required_scope(self):
        return ApiKeyScope.READ if self.request.method == "GET" else ApiKeyScope.REQUESTS

    @extend_schema(
        summary="Show one of your apps",
        parameters=[APP_ID_PARAMETER],
        responses={200: AppDetailSerializer, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, app_id):
        detail = caller_app_detail(request=request, app_id=app_id)
        context = {"environment": detail.environment, "open_request": detail.open_request}
        return Response(AppDetailSerializer(detail.app, context=context).data)

    @extend_schema(
        summary="Set your app's source networks (publishes a new rule set version)",
        parameters=[APP_ID_PARAMETER],
        request=AppUpdateSerializer,
        responses={200: AppDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def patch(self, request, app_id):
        detail = caller_app_detail(request=request, app_id=app_id)
        if not caller_may(request=request, ability=APP_MANAGE, customer=detail.app.customer):
            raise PermissionDenied(refusal(APP_MANAGE, doing="change source networks"))
        serializer = AppUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The service's ValidationError (keyed source_networks) becomes a 400 with fields.
        app_source_networks_set(
            app=detail.app, source_networks=serializer.validated_data["source_networks"]
        )
        return self.get(request, app_id)


@extend_schema(tags=["requests"])
@extend_schema_view(
    get=extend_schema(
        summary="List proxy requests (yours; staff: all), filterable",
        responses={
            200: RequestSerializer(many=True),
            **error_responses(400, 401, 403, 404, 429, e404="No such page."),
        },
    )
)
class RequestListCreateView(generics.ListAPIView):
    """Customers see and submit their own requests; staff see every request."""

    permission_classes = [HasScope]
    serializer_class = RequestSerializer
    filterset_class = RequestFilter

    def get_required_scope(self):
        return ApiKeyScope.REQUESTS if self.request.method == "POST" else ApiKeyScope.READ

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProvisioningRequest.objects.none()
        return caller_requests(request=self.request)

    @extend_schema(
        summary="Submit a proxy request for one of your apps",
        request=RequestCreateSerializer,
        responses={201: RequestDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def post(self, request):
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        app = get_object_or_404(caller_apps(request=request), app_id=data["app_id"])
        if not caller_may(request=request, ability=REQUEST_SUBMIT, customer=app.customer):
            raise PermissionDenied(refusal(REQUEST_SUBMIT, doing="submit requests"))
        proxy_request = request_submit(
            app=app,
            regions=data["regions"],
            isps=data["isps"],
            concurrency=data["concurrency"],
            notes=data["notes"],
            actor=None if is_api_key(request) else request.user,
        )
        proxy_request = caller_requests(request=request).get(pk=proxy_request.pk)
        return Response(RequestDetailSerializer(proxy_request).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["requests"])
class RequestDetailView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.READ
    serializer_class = RequestDetailSerializer

    @extend_schema(
        summary="Show a proxy request with its history",
        responses={200: RequestDetailSerializer, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        proxy_request = get_object_or_404(
            caller_requests(request=request).prefetch_related("events"), pk=pk
        )
        return Response(RequestDetailSerializer(proxy_request).data)
