"""Who may call what over the API: an API key's scopes, and the rules of
accounts/permissions.py for sessions and staff (the admin and the portal ask the same)."""

from rest_framework import permissions

from accounts.authentication import ApiKeyUser
from accounts.choices import ApiKeyScope
from accounts.permissions import Ability, refusal, staff_may, user_may


def is_api_key(request) -> bool:
    """Return whether the caller authenticated with a customer API key."""
    return isinstance(request.user, ApiKeyUser)


def caller_may(*, request, ability: Ability, customer) -> bool:
    """Return whether the caller may do ``ability`` for ``customer``.

    An API key acts for its own customer only (scoping) and within its scopes (``HasScope``);
    anyone else is asked the rule: staff by their permission, members by their role.
    """
    if is_api_key(request):
        return True
    return user_may(user=request.user, ability=ability, customer=customer)


class HasScope(permissions.BasePermission):
    """API keys need the view's ``required_scope``; members' sessions have the read and
    rules scopes, and what changes things only as the rule allows (checked per app)."""

    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        scope = view.get_required_scope() if hasattr(view, "get_required_scope") else None
        scope = scope or getattr(view, "required_scope", ApiKeyScope.READ)
        # A view may accept any of several scopes (``accepted_scopes``).
        scopes = getattr(view, "accepted_scopes", None) or (scope,)
        if is_api_key(request):
            return any(accepted in request.auth.scopes for accepted in scopes)
        return True


class IsStaff(permissions.BasePermission):
    """Staff signed in to the admin (session) or with HTTP basic auth; never an API key."""

    message = "Only staff may use this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and not is_api_key(request))


class StaffMay(IsStaff):
    """Staff whom the rule ``view.ability`` allows, as the admin asks of the same pages."""

    def has_permission(self, request, view):
        self.message = refusal(view.ability, doing="use this endpoint")
        return super().has_permission(request, view) and staff_may(
            user=request.user, ability=view.ability
        )
