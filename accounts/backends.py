"""Who may sign in at all: everyone Django's model backend lets in, except the members
of suspended customers only.

Django asks the backend again on every request of a session, so a suspension ends the
portal, the API by session and HTTP Basic at once, not at the next sign-in.
"""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from accounts.choices import CustomerStatus


def user_is_suspended(user) -> bool:
    """Return whether every customer ``user`` belongs to is suspended (staff never are)."""
    if user.is_staff or user.is_superuser:
        return False
    statuses = set(user.memberships.values_list("customer__status", flat=True))
    return bool(statuses) and CustomerStatus.ACTIVE not in statuses


class MemberBackend(ModelBackend):
    """The model backend, refusing users whose customers are all suspended."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user_is_suspended(user)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for sign-ins over the web; calls without a request (shell,
    management commands) come from someone already on the server and are not counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
