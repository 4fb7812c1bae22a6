"""Build apps' SDK entries from the database: a handful of queries for any number of apps,
so one miss and a warm-up of every app (``manage.py sdk_config_warm``) cost the same few."""

import time

from accounts.choices import AppStatus, CustomerStatus
from accounts.models.app import certificate_secrets
from provisioning.sdk.queries import (
    sdk_app_rows,
    sdk_concurrency,
    sdk_endpoints,
    sdk_pools,
    sdk_rule_versions,
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
    versions = sdk_rule_versions(app_pks=pks)
    concurrency = sdk_concurrency(app_pks=pks)
    pools = sdk_pools(endpoints=[e for group in endpoints.values() for e in group])
    for pk, entry in enabled.items():
        entry["static"] = sdk_static_config_render(
            endpoints=endpoints.get(pk, []), rule_version=versions.get(pk), pools=pools
        )
        entry["concurrency"] = concurrency.get(pk, 0)
        if entry["static"] is not None:
            entry["templates"] = sdk_body_templates(app_id=entry["app_id"], static=entry["static"])
    return entries


def sdk_entry_build(*, app_id: str, generations: tuple | None) -> dict:
    """Build one app's entry from the database."""
    return sdk_entries_build(generations={app_id: generations})[0]
