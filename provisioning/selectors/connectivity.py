"""Reads of connectivity reports, and what the browser check tries for an app."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import App
from provisioning.choices import PoolRole
from provisioning.connectivity.script import probe_script_render
from provisioning.models import AllocatedEndpoint, ConnectivityReport
from rules.models import RuleSet
from rules.selectors import rule_set_entries, rule_set_latest

# The browser check's transports, in the grid's column order.
TRANSPORTS = ("udp", "tcp", "tls")


def connectivity_reports(*, app: App) -> QuerySet[ConnectivityReport]:
    """Return the app's reports, newest first, with their version."""
    return (
        ConnectivityReport.objects.filter(app=app)
        .select_related("rule_set", "api_key", "created_by")
        .order_by("-created_at", "-pk")
    )


def connectivity_report_latest(*, app: App) -> ConnectivityReport | None:
    """Return the app's newest report with its results, or None."""
    return connectivity_reports(app=app).prefetch_related("results").first()


def rule_set_is_live(*, rule_set: RuleSet) -> bool:
    """Return whether ``rule_set`` is what the app's SDKs are served: its newest version
    while the app has a served set."""
    latest = rule_set_latest(app=rule_set.app)
    if latest is None or latest.pk != rule_set.pk:
        return False
    return AllocatedEndpoint.objects.served().of_app(rule_set.app_id).exists()


@dataclass(frozen=True)
class CheckTarget:
    """One proxy of the app and the TURN URL of each transport it serves."""

    address: str
    region: str
    environment: str
    urls: dict[str, str]


def _urls(address: str, tls_hostname: str | None) -> dict[str, str]:
    host = f"[{address}]" if ":" in address else address
    urls = {
        "udp": f"turn:{host}:{settings.TURN_UDP_PORT}?transport=udp",
        "tcp": f"turn:{host}:{settings.TURN_TCP_PORT}?transport=tcp",
    }
    if tls_hostname:
        urls["tls"] = f"turns:{tls_hostname}:{settings.TURN_TLS_PORT}?transport=tcp"
    return urls


def connectivity_check_targets(*, app: App) -> list[CheckTarget]:
    """Return the proxies of the app's current and pending sets, each with its TURN URLs."""
    endpoints = (
        AllocatedEndpoint.objects.served()
        .of_app(app)
        .filter(role=PoolRole.PROXY)
        .select_related("pool", "region", "allocation")
        .order_by("allocation__kind", "region__code", "address")
    )
    targets, seen = [], set()
    for endpoint in endpoints:
        if endpoint.address in seen:
            continue
        seen.add(endpoint.address)
        targets.append(
            CheckTarget(
                address=endpoint.address,
                region=endpoint.region.code if endpoint.region_id else str(endpoint.pool.scope),
                environment=endpoint.allocation.kind,
                urls=_urls(endpoint.address, endpoint.pool.tls_hostname(endpoint.address)),
            )
        )
    return targets


def connectivity_probe_script(*, app: App, base_url: str) -> tuple[RuleSet, str]:
    """Return the app's newest rule set and the probe script embedding its entries; raise
    RuleSet.DoesNotExist when the app has none yet."""
    rule_set = rule_set_latest(app=app)
    if rule_set is None:
        raise RuleSet.DoesNotExist(f"App {app.app_id} has no published rule set yet.")
    script = probe_script_render(
        app_id=app.app_id,
        version=rule_set.version,
        base_url=base_url,
        entries=rule_set_entries(rule_set=rule_set),
    )
    return rule_set, script
