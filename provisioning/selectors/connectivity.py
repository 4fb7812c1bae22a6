"""Reads of connectivity reports, and what the browser check tries for an app."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import App
from provisioning.choices import PoolRole, ProbeOutcome
from provisioning.connectivity.missing import missing_rule_lines
from provisioning.connectivity.script import probe_script_render
from provisioning.connectivity.targets import entries_covering
from provisioning.models import AllocatedEndpoint, ConnectivityReport
from rules.document import RuleSetDocument
from rules.models import RuleSet
from rules.selectors import (
    rule_set_entries,
    rule_set_in_effect,
    rule_set_latest,
    rule_set_pending_list,
)

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
    """Return whether ``rule_set`` is what the app's SDKs are served now: the version in
    effect while the app has a served set."""
    in_effect = rule_set_in_effect(app=rule_set.app, now=timezone.now())
    if in_effect is None or in_effect.pk != rule_set.pk:
        return False
    return AllocatedEndpoint.objects.served().of_app(rule_set.app_id).exists()


def rule_set_is_pending(*, rule_set: RuleSet) -> bool:
    """Return whether ``rule_set`` waits for its effective date or an acknowledgement."""
    pending = rule_set_pending_list(app=rule_set.app, now=timezone.now())
    return pending.filter(rule_set=rule_set).exists()


def rule_set_new_networks(*, rule_set: RuleSet) -> set:
    """Return the destination networks of ``rule_set`` that the version in effect lacks:
    what a pending version would add to what SDKs are served."""
    in_effect = rule_set_in_effect(app=rule_set.app, now=timezone.now())
    served = set(in_effect.entries.values_list("destination", flat=True)) if in_effect else set()
    return {
        ipaddress.ip_network(destination)
        for destination in rule_set.entries.values_list("destination", flat=True)
        if destination not in served
    }


@dataclass(frozen=True)
class CheckTarget:
    """One proxy of the app and the TURN URL, protocol and port of each transport."""

    address: str
    region: str
    environment: str
    transports: dict[str, dict]


def _transports(address: str, tls_hostname: str | None) -> dict[str, dict]:
    """Return the TURN URL, protocol and port of each transport a proxy serves."""
    host = f"[{address}]" if ":" in address else address
    udp, tcp, tls = settings.TURN_UDP_PORT, settings.TURN_TCP_PORT, settings.TURN_TLS_PORT
    transports = {
        "udp": {"url": f"turn:{host}:{udp}?transport=udp", "protocol": "udp", "port": udp},
        "tcp": {"url": f"turn:{host}:{tcp}?transport=tcp", "protocol": "tcp", "port": tcp},
    }
    if tls_hostname:
        url = f"turns:{tls_hostname}:{tls}?transport=tcp"
        transports["tls"] = {"url": url, "protocol": "tcp", "port": tls}
    return transports


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
                transports=_transports(
                    endpoint.address, endpoint.pool.tls_hostname(endpoint.address)
                ),
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


def connectivity_report_missing(*, report: ConnectivityReport, format_name: str) -> list[str]:
    """Return the rule lines, in ``format_name``, that would let through what ``report``
    found blocked (empty when nothing was)."""
    rule_set = report.rule_set
    failed = sorted(
        {
            (r.destination, r.protocol, r.port)
            for r in report.results.all()
            if r.outcome != ProbeOutcome.REACHABLE
        }
    )
    entries = entries_covering(rule_set_entries(rule_set=rule_set), failed)
    document = RuleSetDocument(
        app_id=report.app.app_id,
        version=rule_set.version,
        created_at=rule_set.created_at,
        sha256=rule_set.sha256,
        source_networks=tuple(rule_set.source_networks),
        entries=tuple(entries),
    )
    return missing_rule_lines(document=document, format_name=format_name)
