"""Customers' change requests: ask to change the sizing of a live app, and follow it."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.api.docs import error_responses
from accounts.api.permissions import HasScope, caller_may, is_api_key
from accounts.choices import ApiKeyScope
from accounts.permissions import Ability, refusal
from provisioning.api.scoping import caller_apps
from provisioning.api.serializers.customer import (
    ChangeRequestCreateSerializer,
    ChangeRequestDetailSerializer,
    ChangeRequestSerializer,
)
from provisioning.api.views.customer import APP_ID_PARAMETER
from provisioning.models import ChangeRequest
from provisioning.selectors.changes import app_changes, app_current_request
from provisioning.services.lifecycle import change_request_submit


@extend_schema(tags=["changes"], parameters=[APP_ID_PARAMETER])
@extend_schema_view(
    get=extend_schema(
        summary="List the changes asked for your app, newest first",
        responses={
            200: ChangeRequestSerializer(many=True),
            **error_responses(401, 403, 404, 429, e404="No such app, or no such page."),
        },
    )
)
class ChangeListCreateView(generics.ListAPIView):
    """The changes asked for one of the caller's apps; a new one for its live request."""

    permission_classes = [HasScope]
    serializer_class = ChangeRequestSerializer

    def get_required_scope(self):
        return ApiKeyScope.REQUESTS if self.request.method == "POST" else ApiKeyScope.READ

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChangeRequest.objects.none()
        app = get_object_or_404(caller_apps(request=self.request), app_id=self.kwargs["app_id"])
        return app_changes(app=app)

    @extend_schema(
        summary="Ask to change the concurrency, regions or ISPs of your live app",
        description="Sales review the change and ops approve it; approval resizes the "
        "app's live set, publishes a new rule set version and e-mails your admins. "
        "An app has at most one open change.",
        request=ChangeRequestCreateSerializer,
        responses={
            201: ChangeRequestDetailSerializer,
            **error_responses(400, 401, 403, 404, 429),
        },
    )
    def post(self, request, app_id):
        app = get_object_or_404(caller_apps(request=request), app_id=app_id)
        if not caller_may(request=request, ability=Ability.CHANGE_ASK, customer=app.customer):
            raise PermissionDenied(refusal(Ability.CHANGE_ASK, doing="ask for changes"))
        serializer = ChangeRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        live = app_current_request(app=app)
        if live is None:
            raise ValidationError(
                {
                    "app_id": f"App {app.app_id} has no proxy service to change; "
                    "submit a request (POST /api/v1/requests/) instead."
                }
            )
        change = change_request_submit(
            request=live,
            concurrency=data.get("concurrency"),
            regions=data.get("regions"),
            isps=data.get("isps"),
            reason=data["notes"],
            actor=None if is_api_key(request) else request.user,
        )
        change = app_changes(app=app).prefetch_related("events").get(pk=change.pk)
        return Response(ChangeRequestDetailSerializer(change).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["changes"], parameters=[APP_ID_PARAMETER])
class ChangeDetailView(generics.GenericAPIView):
    permission_classes = [HasScope]
    required_scope = ApiKeyScope.READ
    serializer_class = ChangeRequestDetailSerializer

    @extend_schema(
        summary="Show one change asked for your app, with its history",
        responses={200: ChangeRequestDetailSerializer, **error_responses(401, 403, 404, 429)},
    )
    def get(self, request, app_id, pk: int):
        app = get_object_or_404(caller_apps(request=request), app_id=app_id)
        change = get_object_or_404(app_changes(app=app).prefetch_related("events"), pk=pk)
        return Response(ChangeRequestDetailSerializer(change).data)
