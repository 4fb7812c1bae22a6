"""Named reads of allocations and endpoints, attached to the models as their managers.

"Live" and "served" are defined here once; selectors, services and the SDK build on them.
"""

from collections.abc import Iterable

from django.db import models

from provisioning.choices import (
    LIVE_ALLOCATION_STATUSES,
    SERVED_REQUEST_STATUSES,
    AllocationKind,
)


def environment_of(kinds: Iterable[str]) -> str | None:
    """Return the environment an app with live sets of ``kinds`` is served from:
    "production" when it has a production set, else "test" when it has a test set."""
    kinds = set(kinds)
    if AllocationKind.PRODUCTION in kinds:
        return AllocationKind.PRODUCTION.value
    if AllocationKind.TEST in kinds:
        return AllocationKind.TEST.value
    return None


class AllocationQuerySet(models.QuerySet):
    def live(self) -> "AllocationQuerySet":
        """Return the allocations that hold their addresses (pending or active)."""
        return self.filter(status__in=LIVE_ALLOCATION_STATUSES)


class AllocatedEndpointQuerySet(models.QuerySet):
    def served(self) -> "AllocatedEndpointQuerySet":
        """Return the live endpoints of live allocations of served requests.

        These are what the SDK hands out and the firewall rules list.
        """
        return self.filter(
            live=True,
            allocation__status__in=LIVE_ALLOCATION_STATUSES,
            allocation__request__status__in=SERVED_REQUEST_STATUSES,
        )

    def of_app(self, app) -> "AllocatedEndpointQuerySet":
        """Return the endpoints of ``app`` (an ``App`` or its primary key)."""
        return self.filter(allocation__request__app=app)

    def of_apps(self, apps) -> "AllocatedEndpointQuerySet":
        """Return the endpoints of the apps in ``apps`` (a queryset or primary keys)."""
        return self.filter(allocation__request__app__in=apps)

    def environment(self) -> str | None:
        """Return "production", "test" or None for the endpoints' sets (see environment_of)."""
        kinds = self.order_by().values_list("allocation__kind", flat=True).distinct()
        return environment_of(kinds)
