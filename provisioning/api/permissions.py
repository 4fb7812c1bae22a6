"""Who may call what: customer scopes, portal roles and staff."""

from rest_framework import permissions

from accounts.api.permissions import HasScope as HasScope
from accounts.api.permissions import is_api_key
from accounts.choices import MembershipRole


class IsStaff(permissions.BasePermission):
    """Staff signed in to the admin (session) or with HTTP basic auth; never an API key."""

    message = "Only staff may use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and not is_api_key(request))


class IsStaffWithPermission(IsStaff):
    """Staff holding the view's ``staff_permission``, as the admin asks of the same pages."""

    message = "Your role does not give access to this endpoint."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.has_perm(
            view.staff_permission
        )


def session_may_submit(*, request, customer_id: int) -> bool:
    """Return whether a session caller may submit requests for the customer."""
    if is_api_key(request):
        return True
    if request.user.is_staff:
        return True
    return request.user.memberships.filter(
        customer_id=customer_id, role=MembershipRole.ADMIN
    ).exists()
