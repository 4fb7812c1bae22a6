"""What a caller may see: one customer for an API key, members' customers for a session,
everything for staff. Anything outside is "not found", never "forbidden"."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import App, Customer
from accounts.selectors import customer_apps, user_customers
from provisioning.api.permissions import is_api_key
from provisioning.choices import OPEN_REQUEST_STATUSES
from provisioning.models import AllocatedEndpoint, ProvisioningRequest


def caller_customers(*, request) -> QuerySet[Customer] | None:
    """Return the customers the caller acts for, or None when the caller sees all (staff)."""
    if is_api_key(request):
        return Customer.objects.filter(pk=request.user.customer_id)
    if request.user.is_staff:
        return None
    return user_customers(user=request.user)


def caller_apps(*, request) -> QuerySet[App]:
    """Return the apps the caller may see."""
    return customer_apps(customers=caller_customers(request=request))


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
