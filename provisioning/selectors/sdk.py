"""The environment an app is served from, as the SDK config shows it."""

# TODO(merge): delete this module once api/scoping.py reads the environment through
# AllocatedEndpoint.objects.served().of_app(app).environment(); the SDK's own read path
# lives in provisioning/sdk/.

from provisioning.choices import LIVE_ALLOCATION_STATUSES, AllocationKind, RequestStatus
from provisioning.models import AllocatedEndpoint

# A suspended request keeps its addresses but gets no proxy service.
_SERVING_REQUEST_STATUSES = (
    RequestStatus.TESTING,
    RequestStatus.PRODUCTION_PENDING,
    RequestStatus.ACTIVE,
)


def sdk_app_environment(*, app_pk: int) -> str | None:
    """Return "production" when the app has live production endpoints, else "test" when it
    has live test endpoints, else None."""
    kinds = set(
        AllocatedEndpoint.objects.filter(
            live=True,
            allocation__status__in=LIVE_ALLOCATION_STATUSES,
            allocation__request__status__in=_SERVING_REQUEST_STATUSES,
            allocation__request__app_id=app_pk,
        )
        .values_list("allocation__kind", flat=True)
        .distinct()
    )
    if AllocationKind.PRODUCTION in kinds:
        return str(AllocationKind.PRODUCTION)
    return str(AllocationKind.TEST) if kinds else None
