"""Staff endpoints: pools, request actions and task states."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.api.docs import error_responses
from accounts.api.permissions import IsStaff, StaffMay
from accounts.permissions import Ability
from provisioning.api.filters import PoolFilter
from provisioning.api.serializers.staff import (
    PoolSerializer,
    RequestActionSerializer,
    TaskQueuedSerializer,
    TaskSerializer,
)
from provisioning.models import ProvisioningRequest, ProxyPool
from provisioning.selectors.action_runs import task_progress
from provisioning.services.actions import request_action_enqueue
from provisioning.services.lifecycle import QUEUED_ACTIONS

# Actions staff start over the API: every queued action.
API_ACTIONS = [action.value for action in QUEUED_ACTIONS]


def _pools():
    return (
        ProxyPool.objects.select_related("region", "isp", "port_profile")
        .prefetch_related("prefixes")
        .order_by("kind", "scope", "name", "pk")
    )


@extend_schema(tags=["staff"])
@extend_schema_view(
    get=extend_schema(
        summary="List proxy pools (staff), filterable",
        responses={
            200: PoolSerializer(many=True),
            **error_responses(400, 401, 403, 404, e404="No such page."),
        },
    )
)
class PoolListView(generics.ListAPIView):
    # Pools are ops' business; sales don't see them in the admin either.
    permission_classes = [StaffMay]
    ability = Ability.POOLS_VIEW
    serializer_class = PoolSerializer
    filterset_class = PoolFilter

    def get_queryset(self):
        return _pools()


@extend_schema(tags=["staff"])
@extend_schema_view(
    get=extend_schema(
        summary="Show a proxy pool (staff)",
        responses={200: PoolSerializer, **error_responses(401, 403, 404)},
    )
)
class PoolDetailView(generics.RetrieveAPIView):
    # Pools are ops' business; sales don't see them in the admin either.
    permission_classes = [StaffMay]
    ability = Ability.POOLS_VIEW
    serializer_class = PoolSerializer

    def get_queryset(self):
        return _pools()


@extend_schema(tags=["staff"])
class RequestActionView(generics.GenericAPIView):
    permission_classes = [IsStaff]
    serializer_class = RequestActionSerializer

    @extend_schema(
        operation_id="requests_action",
        summary="Start a lifecycle action on a request (staff)",
        description=(
            "Accepts the action and answers the id of the task that runs it, with where it "
            "stands: queued, or accepted and waiting for the task queue while the broker is "
            "unavailable (it is sent once the broker is back); poll /api/v1/tasks/."
        ),
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=API_ACTIONS),
        ],
        request=RequestActionSerializer,
        responses={
            202: TaskQueuedSerializer,
            **error_responses(
                400, 401, 403, 404, e400="Invalid input, or the action is illegal in this state."
            ),
        },
    )
    def post(self, request, pk: int, action: str):
        if action not in API_ACTIONS:
            raise NotFound(f"No such action; use one of: {', '.join(API_ACTIONS)}.")
        proxy_request = get_object_or_404(ProvisioningRequest.objects.all(), pk=pk)
        serializer = RequestActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_id = request_action_enqueue(
            request=proxy_request,
            action=action,
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        progress = task_progress(task_id=task_id)
        body = {key: progress[key] for key in ("task_id", "state", "message")}
        return Response(TaskQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["staff"])
class TaskDetailView(generics.GenericAPIView):
    permission_classes = [IsStaff]
    serializer_class = TaskSerializer

    @extend_schema(
        summary="Show the state of a task (staff)",
        description=(
            "A staff action's state is kept by the service itself: accepted (waiting for "
            "the task queue), queued, running, retrying, done or failed. An id nothing was "
            "started with reads as PENDING (state unknown), as in Celery."
        ),
        responses={200: TaskSerializer, **error_responses(401, 403)},
    )
    def get(self, request, task_id: str):
        progress = task_progress(task_id=task_id) or {
            "task_id": task_id,
            "task_name": None,
            "status": "PENDING",
            "state": "unknown",
            "message": "No action or task is known with this id.",
            "attempts": None,
            "date_created": None,
            "date_done": None,
            "result": None,
        }
        return Response(TaskSerializer(progress).data)
