"""Who may call what: customer scopes, portal roles and staff."""

from rest_framework import permissions

from accounts.authentication import ApiKeyUser
from accounts.choices import ApiKeyScope, MembershipRole


def is_api_key(request) -> bool:
    """Return whether the caller authenticated with a customer API key."""
    return isinstance(request.user, ApiKeyUser)


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


class HasScope(permissions.BasePermission):
    """API keys need the view's ``required_scope``; members' sessions have the read and
    rules scopes, and the requests scope only as a customer admin (checked per app)."""

    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        scope = view.get_required_scope() if hasattr(view, "get_required_scope") else None
        scope = scope or getattr(view, "required_scope", ApiKeyScope.READ)
        if is_api_key(request):
            return scope in request.auth.scopes
        return True


def session_may_submit(*, request, customer_id: int) -> bool:
    """Return whether a session caller may submit requests for the customer."""
    if is_api_key(request):
        return True
    if request.user.is_staff:
        return True
    return request.user.memberships.filter(
        customer_id=customer_id, role=MembershipRole.ADMIN
    ).exists()
