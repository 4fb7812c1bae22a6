"""Reads of change requests: an app's, a portal user's, and the request a change is for."""

from django.db.models import QuerySet

from accounts.models import App
from accounts.selectors import user_apps
from provisioning.choices import OPEN_REQUEST_STATUSES
from provisioning.models import ChangeRequest, ProvisioningRequest


def _changes() -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.select_related("request__app__customer", "created_by")
        .prefetch_related("regions", "isps")
        .order_by("-created_at", "-pk")
    )


def app_changes(*, app: App) -> QuerySet[ChangeRequest]:
    """Return the changes asked for ``app``, newest first."""
    return _changes().filter(request__app=app)


def user_changes(*, user) -> QuerySet[ChangeRequest]:
    """Return the changes of the apps ``user`` may see, newest first."""
    return _changes().filter(request__app__in=user_apps(user=user))


def request_changes(*, request: ProvisioningRequest) -> QuerySet[ChangeRequest]:
    """Return the changes asked of ``request``, newest first."""
    return _changes().filter(request=request)


def app_current_request(*, app: App) -> ProvisioningRequest | None:
    """Return the app's open request (the one a change applies to), or None."""
    return app.requests.filter(status__in=OPEN_REQUEST_STATUSES).order_by("-pk").first()
