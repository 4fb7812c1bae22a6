"""Who may sign in at all: everyone Django's model backend lets in, except the members
of suspended customers only.

Django asks the backend again on every request of a session, so a suspension ends the
portal, the API by session and HTTP Basic at once, not at the next sign-in.
"""

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
