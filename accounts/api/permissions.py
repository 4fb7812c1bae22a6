"""Who may call what: an API key's scopes, a member's session."""

from rest_framework import permissions

from accounts.authentication import ApiKeyUser
from accounts.choices import ApiKeyScope


def is_api_key(request) -> bool:
    """Return whether the caller authenticated with a customer API key."""
    return isinstance(request.user, ApiKeyUser)


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
        # A view may accept any of several scopes (``accepted_scopes``).
        scopes = getattr(view, "accepted_scopes", None) or (scope,)
        if is_api_key(request):
            return any(accepted in request.auth.scopes for accepted in scopes)
        return True
