"""The SDK's database reads: an app's row with a fingerprint of its live endpoints (one
query on the hot path), and the endpoints its config lists."""

import functools

from django.apps import apps as django_apps
from django.db import connections
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Mod

from accounts.models import App
from provisioning.models import AllocatedEndpoint

# Knuth's multiplicative hash (TAOCP vol. 3, 6.4) modulo the largest 32-bit prime; the
# product stays within 64-bit integers for ids below 3 * 10^9.
FINGERPRINT_MULTIPLIER = 2654435761
FINGERPRINT_MODULUS = 4294967291
# Stands for the App ID while the hot-path query is compiled (never a valid App ID).
APP_ID_PLACEHOLDER = "app-id-placeholder"


def served_endpoints() -> QuerySet[AllocatedEndpoint]:
    """Return the endpoints SDKs are given: live, of live allocations of served requests."""
    return AllocatedEndpoint.objects.served()


def _rule_set_version_subquery():
    """Return a subquery of the app's latest rule-set version, or None without rule sets."""
    try:
        rule_set = django_apps.get_model("rules", "RuleSet")
    except LookupError:
        return None
    return Subquery(
        rule_set.objects.filter(app=OuterRef("pk")).order_by("-version").values("version")[:1]
    )


def _app_row_queryset(app_id: str):
    live = (
        served_endpoints()
        .filter(allocation__request__app=OuterRef("pk"))
        .order_by()
        .values("allocation__request__app")
    )
    # A fingerprint of the set of live endpoint ids: the sum of a multiplicative hash of each
    # id (Knuth), so releasing one endpoint and reviving another changes it too. Changes of
    # an endpoint's ports keep its id but publish a new rule-set version, also in the key.
    fingerprint = Sum(Mod(F("pk") * Value(FINGERPRINT_MULTIPLIER), Value(FINGERPRINT_MODULUS)))
    annotations = {
        "live_fingerprint": Subquery(live.annotate(value=fingerprint).values("value")),
    }
    rule_version = _rule_set_version_subquery()
    if rule_version is not None:
        annotations["rule_version"] = rule_version
    fields = ["pk", "app_id", "status", "certificate", "secondary_certificate"]
    fields += ["certificate_enabled", "customer__status"]
    return (
        App.objects.filter(app_id=app_id)
        .annotate(**annotations)
        .order_by()
        .values_list(*fields, *annotations)[:1]
    ), [*fields, *annotations]


@functools.cache
def _app_row_statement(vendor: str) -> tuple[str, tuple, int, list[str]]:
    """Compile the app-row query once per database vendor: building an ORM query with
    subqueries costs more than running it, and this is the hot path."""
    queryset, columns = _app_row_queryset(APP_ID_PLACEHOLDER)
    sql, params = queryset.query.sql_with_params()
    return sql, params, params.index(APP_ID_PLACEHOLDER), columns


def sdk_app_row(*, app_id: str) -> dict | None:
    """Return the app's fields the SDK path needs plus its live-endpoint fingerprint, in one
    query; None when no app has ``app_id``."""
    connection = connections[App.objects.db]
    sql, params, index, columns = _app_row_statement(connection.vendor)
    params = (*params[:index], app_id, *params[index + 1 :])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else dict(zip(columns, row, strict=True))


def sdk_app_endpoints(*, app_pk: int) -> list[AllocatedEndpoint]:
    """Return the app's served endpoints with what rendering needs, in a stable order."""
    return list(
        served_endpoints()
        .filter(allocation__request__app_id=app_pk)
        .select_related("allocation", "region", "isp")
        .order_by("role", "address", "pk")
    )
