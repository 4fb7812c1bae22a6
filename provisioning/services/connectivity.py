"""Record what a customer's network let through: reports from the browser check page and
the command-line probe, each checked against the rule set version it tried."""

import ipaddress
import math

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import App
from accounts.services.audit import AUDIT_ADDITION, audit_record
from core.queue import enqueue_on_commit
from provisioning.choices import ProbeOutcome, Protocol, ReportSource
from provisioning.connectivity.targets import entries_cover
from provisioning.constants import MAX_PORT, MAX_PROBE_MS, MAX_REPORT_RESULTS, MIN_PORT
from provisioning.models import ConnectivityReport, ConnectivityResult
from provisioning.selectors.connectivity import (
    rule_set_is_live,
    rule_set_is_pending,
    rule_set_new_networks,
)
from rules.choices import AcknowledgementSource
from rules.models import RuleSet
from rules.selectors import rule_set_entries, rule_set_resolve
from rules.services.activation import rule_version_acknowledge

CONNECTIVITY_ALERT_TASK = "provisioning.tasks.connectivity_alert_task"
TRANSPORTS = ("", "udp", "tcp", "tls")


def _item_error(index: int, message: str) -> ValidationError:
    return ValidationError({"results": f"Item {index}: {message}"})


def _integer(value, *, index: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _item_error(index, f"{name} must be a number.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _item_error(index, f"{name} must be a finite number.")
        if name == "port" and not value.is_integer():
            raise _item_error(index, "port must be a whole number.")
        value = round(value)
    if not low <= value <= high:
        raise _item_error(index, f"{name} must be {low} to {high}.")
    return int(value)


def _outcome(item: dict, index: int) -> str:
    reachable = item.get("reachable")
    if not isinstance(reachable, bool):
        raise _item_error(index, "reachable must be true or false.")
    outcome = item.get("outcome") or (ProbeOutcome.REACHABLE if reachable else ProbeOutcome.BLOCKED)
    if outcome not in ProbeOutcome.values or (outcome == ProbeOutcome.REACHABLE) != reachable:
        raise _item_error(index, "outcome must agree with reachable.")
    return outcome


def _result(item, index: int, *, entries) -> ConnectivityResult:
    """Return one reported try as a row, or raise ValidationError keyed ``results``."""
    if not isinstance(item, dict):
        raise _item_error(index, "each result is an object.")
    try:
        address = str(ipaddress.ip_address(str(item.get("destination", ""))))
    except ValueError:
        raise _item_error(index, "destination must be an IP address.") from None
    protocol = item.get("protocol")
    if protocol not in Protocol.values:
        raise _item_error(index, f"protocol must be one of {', '.join(Protocol.values)}.")
    port = _integer(item.get("port"), index=index, name="port", low=MIN_PORT, high=MAX_PORT)
    ms = item.get("ms")
    ms = None if ms is None else _integer(ms, index=index, name="ms", low=0, high=MAX_PROBE_MS)
    transport = item.get("transport") or ""
    if transport not in TRANSPORTS:
        raise _item_error(index, "transport must be udp, tcp or tls.")
    if not entries_cover(entries, address=address, protocol=protocol, port=port):
        raise _item_error(index, f"{protocol} {address} port {port} is not in this rule set.")
    return ConnectivityResult(
        destination=address,
        protocol=protocol,
        port=port,
        transport=transport,
        outcome=_outcome(item, index),
        ms=ms,
    )


def connectivity_results_parse(*, rule_set: RuleSet, results) -> list[ConnectivityResult]:
    """Return the rows of a reported list of tries; refuse the whole list (ValidationError
    keyed ``results``) if any try is malformed, repeated or outside ``rule_set``."""
    if not isinstance(results, list) or not results:
        raise ValidationError({"results": "Give a non-empty list of results."})
    if len(results) > MAX_REPORT_RESULTS:
        raise ValidationError({"results": f"At most {MAX_REPORT_RESULTS} results per report."})
    entries = rule_set_entries(rule_set=rule_set)
    rows, seen = [], set()
    for index, item in enumerate(results):
        row = _result(item, index, entries=entries)
        key = (row.destination, row.protocol, row.port, row.transport)
        if key in seen:
            raise _item_error(index, "this address, protocol and port is listed twice.")
        seen.add(key)
        rows.append(row)
    return rows


def _rule_set(app: App, version) -> RuleSet:
    if version is not None and not isinstance(version, str):
        raise ValidationError({"version": "Enter a version as YYYYMMDDNN."})
    try:
        return rule_set_resolve(app=app, version=version)
    except RuleSet.DoesNotExist:
        raise ValidationError(
            {"version": f"App {app.app_id} has no rule set version {version or 'yet'}."}
        ) from None


@transaction.atomic
def connectivity_report_record(
    *, app: App, version: str | None, source: str, results, source_address: str | None, actor
) -> ConnectivityReport:
    """Store a report of ``source`` (browser or probe) on ``app``'s rule set ``version``
    (the latest when None) and return it. A failing report on the version in effect
    queues the ops alert; a passing one on a pending version that reached every address
    the version adds acknowledges it (it takes effect for SDKs). Every report is in the
    app's history as its reporter's."""
    if source not in ReportSource.values:
        raise ValidationError({"source": "Choose browser or probe."})
    rule_set = _rule_set(app, version)
    rows = connectivity_results_parse(rule_set=rule_set, results=results)
    blocked = sum(1 for row in rows if not row.reachable)
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    report = ConnectivityReport(
        app=app,
        rule_set=rule_set,
        source=source,
        source_address=source_address,
        passed=blocked == 0,
        tried=len(rows),
        blocked=blocked,
        created_by=user if user and user.is_authenticated else None,
        api_key=getattr(actor, "api_key", None),
    )
    report.full_clean()
    report.save()
    for row in rows:
        row.report = report
    ConnectivityResult.objects.bulk_create(rows)
    verdict = "passed" if report.passed else f"{blocked} of {len(rows)} blocked"
    audit_record(
        actor=actor,
        obj=app,
        action_flag=AUDIT_ADDITION,
        message=f"Connectivity report #{report.pk} ({source}) on version "
        f"{rule_set.version}: {verdict}",
    )
    if not report.passed and rule_set_is_live(rule_set=rule_set):
        enqueue_on_commit(CONNECTIVITY_ALERT_TASK, kwargs={"report_id": report.pk})
    if _acknowledges(report, rows):
        rule_version_acknowledge(
            app, rule_set.version, source=AcknowledgementSource.CONNECTIVITY,
            user=report.created_by, api_key=report.api_key,
        )  # fmt: skip
    return report


def _acknowledges(report: ConnectivityReport, rows: list[ConnectivityResult]) -> bool:
    """Return whether a report counts as the customer's acknowledgement of its version:
    it passed, the version is pending, and it reached every destination the version adds
    to what SDKs are served."""
    if not report.passed or not rule_set_is_pending(rule_set=report.rule_set):
        return False
    reached = [ipaddress.ip_address(row.destination) for row in rows if row.reachable]
    return all(
        any(address in network for address in reached)
        for network in rule_set_new_networks(rule_set=report.rule_set)
    )
