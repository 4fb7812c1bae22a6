"""What a caller may see: one customer for an API key, members' customers for a session,
everything for staff. Anything outside is "not found", never "forbidden"."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.api.scoping import caller_apps, caller_customers
from accounts.models import App
from provisioning.choices import OPEN_REQUEST_STATUSES
from provisioning.models import AllocatedEndpoint, ProvisioningRequest


def caller_requests(*, request) -> QuerySet[ProvisioningRequest]:
    """Return the proxy requests the caller may see, newest first."""
    requests = (
        ProvisioningRequest.objects.select_related("app", "app__customer")
        .prefetch_related("regions", "isps")
        .order_by("-created_at", "-pk")
    )
    customers = caller_customers(request=request)
    return requests if customers is None else requests.filter(app__customer__in=customers)


@dataclass(frozen=True)
class AppDetail:
    app: App
    environment: str | None
    open_request: int | None


def caller_app_detail(*, request, app_id: str) -> AppDetail:
    """Return one of the caller's apps with what it has live; raise Http404 otherwise."""
    app = get_object_or_404(caller_apps(request=request), app_id=app_id)
    open_request = (
        app.requests.filter(status__in=OPEN_REQUEST_STATUSES).values_list("pk", flat=True).first()
    )
    environment = AllocatedEndpoint.objects.served().of_app(app).environment()
    return AppDetail(app=app, environment=environment, open_request=open_request)
