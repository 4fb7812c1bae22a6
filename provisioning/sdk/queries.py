"""The SDK's database reads, made only when an app's cache entry is (re)built: the app's row,
its approved concurrency, its latest rule-set version and the endpoints its config lists."""

from django.apps import apps as django_apps
from django.db.models import QuerySet, Sum

from accounts.models import App
from provisioning.choices import SERVED_REQUEST_STATUSES
from provisioning.models import AllocatedEndpoint, ProvisioningRequest

APP_FIELDS = ("pk", "app_id", "status", "certificate", "certificate_enabled", "customer__status")


def served_endpoints() -> QuerySet[AllocatedEndpoint]:
    """Return the endpoints SDKs are given: live, of live allocations of served requests."""
    return AllocatedEndpoint.objects.served()


def sdk_app_row(*, app_id: str) -> dict | None:
    """Return the app's fields the SDK path needs; None when no app has ``app_id``."""
    return App.objects.filter(app_id=app_id).values(*APP_FIELDS).first()


def sdk_app_rule_version(*, app_pk: int) -> str | None:
    """Return the app's latest rule-set version, or None without rule sets."""
    try:
        rule_set = django_apps.get_model("rules", "RuleSet")
    except LookupError:
        return None
    latest = rule_set.objects.filter(app_id=app_pk).order_by("-version").values("version")[:1]
    return next((row["version"] for row in latest), None)


def sdk_app_concurrency(*, app_pk: int) -> int:
    """Return the concurrent users approved for the app (its served requests)."""
    served = ProvisioningRequest.objects.filter(app_id=app_pk, status__in=SERVED_REQUEST_STATUSES)
    return served.aggregate(total=Sum("concurrency"))["total"] or 0


def sdk_app_endpoints(*, app_pk: int) -> list[AllocatedEndpoint]:
    """Return the app's served endpoints with what rendering needs, in a stable order."""
    return list(
        served_endpoints()
        .filter(allocation__request__app_id=app_pk)
        .select_related("allocation", "region", "isp")
        .order_by("role", "address", "pk")
    )
