"""What a caller may see: one customer for an API key, members' customers for a session,
everything for staff. Anything outside is "not found", never "forbidden"."""

from django.db.models import QuerySet

from accounts.api.permissions import is_api_key
from accounts.models import App, Customer
from accounts.selectors import customer_apps, user_customers


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
