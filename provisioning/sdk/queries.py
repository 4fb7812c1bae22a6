"""The SDK's database reads, made only when apps' cache entries are (re)built: a handful of
queries for any number of apps (the rows, approved concurrency, the rule-set versions in
effect, served endpoints and their pools)."""

from collections import defaultdict
from datetime import datetime

from django.db.models import QuerySet, Sum

from accounts.models import App
from provisioning.choices import SERVED_REQUEST_STATUSES
from provisioning.models import AllocatedEndpoint, ProvisioningRequest, ProxyPool
from rules.selectors import ServedRules, rule_sets_served

APP_FIELDS = (
    "pk",
    "app_id",
    "status",
    "certificate",
    "secondary_certificate",
    "certificate_enabled",
    "customer__status",
)


def served_endpoints() -> QuerySet[AllocatedEndpoint]:
    """Return the endpoints SDKs are given: live, of live allocations of served requests."""
    return AllocatedEndpoint.objects.served()


def sdk_app_rows(*, app_ids: list[str]) -> dict[str, dict]:
    """Return the fields the SDK path needs of the apps among ``app_ids``, by App ID."""
    rows = App.objects.filter(app_id__in=app_ids).values(*APP_FIELDS)
    return {row["app_id"]: row for row in rows}


def sdk_rules_served(*, app_pks: list[int], now: datetime) -> dict[int, ServedRules]:
    """Return each app's rule-set version in effect at ``now``, its entries and what is
    pending (apps that never had a rule set left out): SDKs get no address before the
    customer's firewall may allow it (see rules/services/activation.py)."""
    return rule_sets_served(app_pks=app_pks, now=now)


def sdk_concurrency(*, app_pks: list[int]) -> dict[int, int]:
    """Return the concurrent users approved for each app (its served requests)."""
    served = ProvisioningRequest.objects.filter(
        app_id__in=app_pks, status__in=SERVED_REQUEST_STATUSES
    )
    totals = served.values("app_id").annotate(total=Sum("concurrency")).order_by()
    return {row["app_id"]: row["total"] or 0 for row in totals}


def sdk_endpoints(*, app_pks: list[int]) -> dict[int, list[AllocatedEndpoint]]:
    """Return each app's served endpoints with what rendering needs, in a stable order."""
    endpoints = (
        served_endpoints()
        .filter(allocation__request__app_id__in=app_pks)
        .select_related("allocation__request", "region", "isp")
        .order_by("role", "address", "pk")
    )
    by_app = defaultdict(list)
    for endpoint in endpoints:
        by_app[endpoint.allocation.request.app_id].append(endpoint)
    return by_app


def sdk_pools(*, endpoints: list[AllocatedEndpoint]) -> dict[int, ProxyPool]:
    """Return the pools of ``endpoints`` with their regions, by id."""
    return ProxyPool.objects.select_related("region").in_bulk({e.pool_id for e in endpoints})
