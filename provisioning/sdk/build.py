"""Build apps' SDK entries from the database: a handful of queries for any number of apps,
so one miss and a warm-up of every app (``manage.py sdk_config_warm``) cost the same few."""

import ipaddress
import time
from datetime import UTC, datetime

from accounts.choices import AppStatus, CustomerStatus
from accounts.models.app import certificate_secrets
from provisioning.sdk.parts import sdk_part_pack
from provisioning.sdk.queries import (
    sdk_app_rows,
    sdk_concurrency,
    sdk_endpoints,
    sdk_pools,
    sdk_rules_served,
)
from provisioning.sdk.render import sdk_body_templates, sdk_static_config_render


def _entry(app_id: str, row: dict | None, generations, built: float) -> dict:
    entry = {"app_id": app_id, "gen": generations, "built": built, "found": row is not None}
    if row is not None:
        enabled = (
            row["status"] == AppStatus.ACTIVE and row["customer__status"] == CustomerStatus.ACTIVE
        )
        certificates = (
            certificate_secrets(row["certificate"], row["secondary_certificate"])
            if row["certificate_enabled"]
            else []
        )
        entry.update(enabled=enabled, certificates=certificates, static=None, concurrency=0)
    return entry


def _in_effect(endpoints: list, served) -> list:
    """Return the ``endpoints`` that the rule-set version in effect whitelists: an address
    added by a pending version reaches SDKs only once that version takes effect."""
    if served is None:  # never published: nothing to gate
        return endpoints
    networks: dict[str, list] = {}
    for environment, destination in served.destinations:
        networks.setdefault(environment, []).append(ipaddress.ip_network(destination))
    return [
        endpoint
        for endpoint in endpoints
        if any(
            ipaddress.ip_address(endpoint.address) in network
            for network in networks.get(endpoint.allocation.kind, ())
        )
    ]


def _static(entry: dict, endpoints: list, served, pools: dict) -> None:
    static = sdk_static_config_render(
        endpoints=_in_effect(endpoints, served),
        rule_version=served.version if served else None,
        pools=pools,
        pending_version=served.pending_version if served else None,
        effective_at=served.effective_at if served else None,
    )
    if served is not None and served.next_change_at is not None:
        # The entry is rebuilt when the next pending version takes effect.
        entry["refresh_at"] = served.next_change_at.timestamp()
    if static is not None:
        templates = sdk_body_templates(app_id=entry["app_id"], static=static)
        entry.update(static=sdk_part_pack(static), templates=sdk_part_pack(templates))


def sdk_entries_build(*, generations: dict[str, tuple | None]) -> list[dict]:
    """Build the entries of the apps in ``generations`` (App ID -> the generations read
    before building) from the database."""
    built = time.time()
    rows = sdk_app_rows(app_ids=list(generations))
    entries = [_entry(app_id, rows.get(app_id), gen, built) for app_id, gen in generations.items()]
    enabled = {rows[e["app_id"]]["pk"]: e for e in entries if e["found"] and e["enabled"]}
    if not enabled:
        return entries
    pks = list(enabled)
    endpoints = sdk_endpoints(app_pks=pks)
    served = sdk_rules_served(app_pks=pks, now=datetime.fromtimestamp(built, tz=UTC))
    concurrency = sdk_concurrency(app_pks=pks)
    pools = sdk_pools(endpoints=[e for group in endpoints.values() for e in group])
    for pk, entry in enabled.items():
        _static(entry, endpoints.get(pk, []), served.get(pk), pools)
        entry["concurrency"] = concurrency.get(pk, 0)
    return entries


def sdk_entry_build(*, app_id: str, generations: tuple | None) -> dict:
    """Build one app's entry from the database."""
    return sdk_entries_build(generations={app_id: generations})[0]
