"""The SDK's read path: an app's proxy config, answered from caches on the hot path.

A warm request costs at most one query: the app row with a fingerprint of its live
endpoints and its latest rule-set version. The per-app static part (servers, TURN URLs,
version) is cached under that fingerprint and version, so any change to the app's live
allocations yields a new cache key and the old entry is never served again. Rendered bodies
are memoized per process under the same key plus the credential expiry bucket; app rows may
be reused for ``SDK_APP_CACHE_SECONDS`` (then a warm request makes no query at all).
"""

import functools
import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Mod

from accounts.choices import AppStatus, CustomerStatus
from accounts.constants import APP_ID_PATTERN
from accounts.models import App
from accounts.services.app_tokens import AppTokenError, app_token_verify
from provisioning.choices import (
    LIVE_ALLOCATION_STATUSES,
    AllocationKind,
    PoolRole,
    Protocol,
    RequestStatus,
)
from provisioning.models import AllocatedEndpoint
from provisioning.services.turn import turn_credential_expiry, turn_credential_mint


class SdkMode(models.TextChoices):
    """How the SDK reaches the proxies (Agora's cloud proxy modes)."""

    AUTO = "auto", "Automatic: UDP and TCP"
    UDP = "udp", "Force UDP (mode 3)"
    TCP = "tcp", "Force TCP/TLS 443 (mode 5)"


# A suspended request keeps its addresses but gets no proxy service.
SERVING_REQUEST_STATUSES = (
    RequestStatus.TESTING,
    RequestStatus.PRODUCTION_PENDING,
    RequestStatus.ACTIVE,
)
# "Force TCP/TLS 443" (Agora mode 5): only TCP 443 gets through the strictest firewalls.
TLS_PORT = 443
CACHE_KEY_PREFIX = "sdk-config:v1"
APP_ID_RE = re.compile(APP_ID_PATTERN)
# Knuth's multiplicative hash (TAOCP vol. 3, 6.4) modulo the largest 32-bit prime; the
# product stays within 64-bit integers for ids below 3 * 10^9.
FINGERPRINT_MULTIPLIER = 2654435761
FINGERPRINT_MODULUS = 4294967291
# Entries of the per-process memos before they are emptied (each entry is a few KB).
SDK_MEMO_SIZE = 4096
# Stands for the App ID while the hot-path query is compiled (never a valid App ID).
APP_ID_PLACEHOLDER = "app-id-placeholder"


NO_PROXY_SERVICE = "This app has no live proxy service (test or production)."


class SdkConfigError(Exception):
    """Why the proxy config can't be served: an error code, HTTP status and message."""

    def __init__(self, code: str, status: int, message: str):
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ProxyConfig:
    content: bytes
    etag: str
    max_age: int


def _live_endpoints():
    return AllocatedEndpoint.objects.filter(
        live=True,
        allocation__status__in=LIVE_ALLOCATION_STATUSES,
        allocation__request__status__in=SERVING_REQUEST_STATUSES,
    )


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
        _live_endpoints()
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
    fields = ["pk", "app_id", "status", "certificate", "certificate_enabled", "customer__status"]
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


def _port_ranges(ports: list[dict], protocol: str, mode: str) -> list[dict]:
    ranges = sorted(
        (entry["port_start"], entry["port_end"])
        for entry in ports
        if entry.get("protocol") == protocol
    )
    if mode == SdkMode.TCP:
        ranges = [(TLS_PORT, TLS_PORT)] if any(s <= TLS_PORT <= e for s, e in ranges) else []
    return [{"start": start, "end": end} for start, end in dict.fromkeys(ranges)]


def _servers(endpoints: list[AllocatedEndpoint], mode: str) -> list[dict]:
    servers = []
    for endpoint in endpoints:
        tcp = [] if mode == SdkMode.UDP else _port_ranges(endpoint.ports, Protocol.TCP, mode)
        udp = [] if mode == SdkMode.TCP else _port_ranges(endpoint.ports, Protocol.UDP, mode)
        if tcp or udp:
            servers.append(
                {
                    "address": endpoint.address,
                    "region": endpoint.region.code if endpoint.region_id else None,
                    "isp": endpoint.isp.code if endpoint.isp_id else None,
                    "role": endpoint.role,
                    "tcp_ports": tcp,
                    "udp_ports": udp,
                }
            )
    return servers


def _turn_urls(servers: list[dict], mode: str) -> list[str]:
    """Return TURN URLs on the proxy servers; IPv6 literals are bracketed (RFC 7065)."""
    urls = []
    for server in servers:
        if server["role"] != PoolRole.PROXY:
            continue
        host = f"[{server['address']}]" if ":" in server["address"] else server["address"]
        if mode != SdkMode.TCP:
            urls.append(f"turn:{host}:{settings.TURN_UDP_PORT}?transport=udp")
        if mode != SdkMode.UDP:
            urls.append(f"turn:{host}:{settings.TURN_TCP_PORT}?transport=tcp")
    return urls


def sdk_app_environment(*, app_pk: int) -> str | None:
    """Return "production" when the app has live production endpoints, else "test" when it
    has live test endpoints, else None."""
    kinds = set(
        _live_endpoints()
        .filter(allocation__request__app_id=app_pk)
        .values_list("allocation__kind", flat=True)
        .distinct()
    )
    if AllocationKind.PRODUCTION in kinds:
        return str(AllocationKind.PRODUCTION)
    return str(AllocationKind.TEST) if kinds else None


def sdk_static_config(*, app_pk: int, rule_version: str | None) -> dict | None:
    """Return the cacheable part of an app's proxy config for every mode, or None when the
    app has no live endpoints."""
    endpoints = list(
        _live_endpoints()
        .filter(allocation__request__app_id=app_pk)
        .select_related("allocation", "region", "isp")
        .order_by("role", "address", "pk")
    )
    if not endpoints:
        return None
    has_production = any(e.allocation.kind == AllocationKind.PRODUCTION for e in endpoints)
    environment = AllocationKind.PRODUCTION if has_production else AllocationKind.TEST
    endpoints = [e for e in endpoints if e.allocation.kind == environment]
    modes = {}
    for mode in SdkMode.values:
        servers = _servers(endpoints, mode)
        modes[mode] = {"servers": servers, "turn_urls": _turn_urls(servers, mode)}
    snapshot = json.dumps([environment, modes[SdkMode.AUTO]["servers"]], sort_keys=True)
    version = rule_version or "s" + hashlib.sha256(snapshot.encode()).hexdigest()[:16]
    return {"environment": str(environment), "version": version, "modes": modes}


def _static_key(row: dict) -> str:
    parts = (CACHE_KEY_PREFIX, row["pk"], row["app_id"], row["live_fingerprint"])
    parts += (row.get("rule_version"),)
    return ":".join(map(str, (*parts, settings.TURN_UDP_PORT, settings.TURN_TCP_PORT)))


def _static_config_cached(key: str, row: dict) -> dict | None:
    static = cache.get(key)
    if static is None:
        static = sdk_static_config(app_pk=row["pk"], rule_version=row.get("rule_version"))
        cache.set(key, static, settings.SDK_CONFIG_CACHE_TIMEOUT)
    return static


class _Memo:
    """A small per-process map with a size bound, for values that are correct by key."""

    def __init__(self, size: int):
        self.size = size
        self.values: dict = {}

    def get(self, key):
        return self.values.get(key)

    def put(self, key, value):
        if len(self.values) >= self.size:
            self.values.clear()
        self.values[key] = value
        return value


# Rendered bodies, keyed by everything they depend on (the key carries the live-set
# fingerprint and the expiry bucket, so an entry is never stale).
_bodies = _Memo(SDK_MEMO_SIZE)
# App rows reused for SDK_APP_CACHE_SECONDS: the one price of skipping the query is that a
# change to the app (status, certificate, live set) shows within that time.
_rows = _Memo(SDK_MEMO_SIZE)


def sdk_memos_clear() -> None:
    """Forget this process's reused app rows and rendered bodies (tests, after a deploy)."""
    _bodies.values.clear()
    _rows.values.clear()


def _app_row_recent(app_id: str) -> dict | None:
    ttl = settings.SDK_APP_CACHE_SECONDS
    if ttl <= 0:
        return sdk_app_row(app_id=app_id)
    now = time.monotonic()
    hit = _rows.get(app_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = sdk_app_row(app_id=app_id)
    if row is not None:
        row["static_key"] = _static_key(row)
    return _rows.put(app_id, (now + ttl, row))[1]


def _check_token(row: dict, authorization: str) -> None:
    keyword, _, token = authorization.partition(" ")
    if not authorization:
        raise SdkConfigError(
            "token_required", 401, "This app's certificate is enabled: send an app token."
        )
    if keyword.lower() != "bearer" or not token.strip():
        raise SdkConfigError(
            "token_invalid", 401, "Send the app token as 'Authorization: Bearer <token>'."
        )
    try:
        app_token_verify(app_id=row["app_id"], certificate=row["certificate"], token=token.strip())
    except AppTokenError as exc:
        raise SdkConfigError(exc.code, 401, exc.message) from exc


def _check_app_id_format(app_id: str) -> None:
    if not isinstance(app_id, str) or not APP_ID_RE.fullmatch(app_id):
        raise SdkConfigError(
            "invalid_app_id", 400, "An App ID is exactly 32 lowercase hexadecimal characters."
        )


def sdk_app_check(*, app_id: str, authorization: str = "") -> dict:
    """Return the app row if its proxy config may be served, checking in the contract's
    order: App ID format, existence, status, then the app token."""
    _check_app_id_format(app_id)
    row = _app_row_recent(app_id)
    if row is None:
        raise SdkConfigError("unknown_app", 404, "No app has this App ID.")
    if row["status"] != AppStatus.ACTIVE or row["customer__status"] != CustomerStatus.ACTIVE:
        raise SdkConfigError("app_disabled", 403, "This app is disabled.")
    if row["certificate_enabled"]:
        _check_token(row, authorization)
    return row


def sdk_proxy_config(*, app_id: str, mode: str, authorization: str = "") -> ProxyConfig:
    """Return the proxy config of ``app_id`` for ``mode`` with TURN credentials, or raise
    SdkConfigError with the contract's error code."""
    row = sdk_app_check(app_id=app_id, authorization=authorization)
    if mode not in SdkMode.values:
        raise SdkConfigError(
            "invalid_mode", 400, f"mode is one of {', '.join(SdkMode.values)}, not {mode!r}."
        )
    if row["live_fingerprint"] is None:
        raise SdkConfigError("no_proxy_service", 404, NO_PROXY_SERVICE)
    now = time.time()
    expires_at = turn_credential_expiry(now=now)
    key = row.get("static_key") or _static_key(row)
    secrets = tuple(settings.TURN_SHARED_SECRETS[:1])
    body_key = (key, mode, expires_at, settings.TURN_CREDENTIAL_TTL, secrets)
    rendered = _bodies.get(body_key)
    if rendered is None:
        static = _static_config_cached(key, row)
        if static is None:
            raise SdkConfigError("no_proxy_service", 404, NO_PROXY_SERVICE)
        rendered = _bodies.put(
            body_key, _render(app_id=app_id, mode=mode, static=static, expires_at=expires_at)
        )
    content, etag = rendered
    # The body stays the same until the next bucket's expiry takes over; a client that
    # reuses it that long still holds credentials valid for at least TURN_CREDENTIAL_TTL.
    max_age = max(0, expires_at - settings.TURN_CREDENTIAL_TTL - int(now))
    return ProxyConfig(content=content, etag=etag, max_age=max_age)


def _isoformat(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def _render(*, app_id: str, mode: str, static: dict, expires_at: int) -> tuple[bytes, str]:
    """Return the JSON body and its ETag."""
    part = static["modes"][mode]
    ice_servers = []
    if part["turn_urls"] and settings.TURN_SHARED_SECRETS:
        credential = turn_credential_mint(app_id=app_id, expires_at=expires_at)
        ice_servers.append(
            {
                "urls": part["turn_urls"],
                "username": credential.username,
                "credential": credential.credential,
            }
        )
    body = {
        "app_id": app_id,
        "environment": static["environment"],
        "version": static["version"],
        "mode": mode,
        "servers": part["servers"],
        "ice_servers": ice_servers,
        "ttl": settings.TURN_CREDENTIAL_TTL,
        "expires_at": _isoformat(expires_at),
    }
    content = json.dumps(body, separators=(",", ":")).encode()
    return content, f'"{hashlib.sha256(content).hexdigest()[:32]}"'
