"""Render an app's proxy config: the per-app static part for every mode, then the body of
one answer with fresh TURN credentials.

Modes follow the seed's tables (Agora's cloud proxy modes):

- ``udp`` (SDK mode 3, "force UDP"): UDP media ports, the TCP message ports and the edge
  nodes; TURN over UDP.
- ``tcp`` (SDK mode 5, "force TCP/TLS 443"): TCP only, media, message and edge ports; TURN
  over TCP and over TLS on 443 through ``turns:`` URLs on the pools' TLS host names.
- ``auto``: everything; the SDK needs no ``startProxyServer`` call.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings

from provisioning.choices import AllocationKind, PoolRole, PortPurpose, Protocol, SdkMode
from provisioning.models import AllocatedEndpoint, ProxyPool
from provisioning.services.turn import TurnCredential, turn_credential_mint

# The numbers Agora's ``client.startProxyServer(mode)`` takes; auto calls nothing.
AGORA_PROXY_MODES = {SdkMode.UDP: 3, SdkMode.TCP: 5, SdkMode.AUTO: None}
# Browsers allocate one relay per TURN URL and ICE server: a few proxies per region are
# enough to get through a firewall and keep a peer connection's setup cheap.
ICE_SERVERS_PER_REGION = 2
# Browsers reuse an answer this share of a credential bucket before revalidating, so a
# revalidation inside the bucket (same credentials, same ETag) is answered 304.
REVALIDATIONS_PER_BUCKET = 5
AUTO_NOTE = (
    "No startProxyServer call is needed: the SDK connects directly; "
    "client.setTurnServer(turn_servers[0]) adds a TURN fallback."
)
FORCED_NOTE = (
    "Before join(), call client.startProxyServer(proxy_mode) for the cloud proxy, or "
    "client.setTurnServer(turn_servers[0]) to relay through these TURN servers; "
    "one of the two per client."
)


def _port_ranges(ports: list[dict], protocol: str, purposes: set | None = None) -> list[dict]:
    ranges = sorted(
        (entry["port_start"], entry["port_end"])
        for entry in ports
        if entry.get("protocol") == protocol
        and (purposes is None or entry.get("purpose") in purposes)
    )
    return [{"start": start, "end": end} for start, end in dict.fromkeys(ranges)]


def _mode_ports(endpoint: AllocatedEndpoint, mode: str) -> tuple[list, list]:
    """Return the TCP and UDP port ranges of ``endpoint`` that ``mode`` uses."""
    tcp_purposes = None
    if mode == SdkMode.UDP:
        # Force UDP keeps TCP for messages and edge nodes only (the seed's UDP table).
        tcp_purposes = {PortPurpose.SIGNALLING, PortPurpose.EDGE}
    tcp = _port_ranges(endpoint.ports, Protocol.TCP, tcp_purposes)
    udp = [] if mode == SdkMode.TCP else _port_ranges(endpoint.ports, Protocol.UDP)
    return tcp, udp


def _region_label(pool: ProxyPool) -> str:
    """Return the pool's region code, or its scope for shared pools of no region."""
    return pool.region.code if pool.region_id else str(pool.scope)


def _servers(endpoints: list[AllocatedEndpoint], pools: dict, mode: str) -> list[dict]:
    servers = []
    for endpoint in endpoints:
        tcp, udp = _mode_ports(endpoint, mode)
        if not (tcp or udp):
            continue
        pool = pools[endpoint.pool_id]
        servers.append(
            {
                "address": endpoint.address,
                "region": _region_label(pool),
                "isp": endpoint.isp.code if endpoint.isp_id else None,
                "role": endpoint.role,
                "tls_hostname": pool.tls_hostname(endpoint.address),
                "tcp_ports": tcp,
                "udp_ports": udp,
            }
        )
    return servers


def _chosen_proxies(servers: list[dict], spread: int) -> list[dict]:
    """Return up to ``ICE_SERVERS_PER_REGION`` proxies of each region, regions in code
    order; ``spread`` rotates each region's list so apps share the load."""
    regions: dict[str, list[dict]] = {}
    for server in servers:
        if server["role"] == PoolRole.PROXY:
            regions.setdefault(server["region"], []).append(server)
    chosen = []
    for region in sorted(regions):
        proxies = regions[region]
        start = spread % len(proxies)
        chosen += (proxies[start:] + proxies[:start])[:ICE_SERVERS_PER_REGION]
    return chosen


def _turn_urls(server: dict, mode: str) -> list[str]:
    """Return the TURN URLs of one proxy; IPv6 literals are bracketed (RFC 7065)."""
    host = f"[{server['address']}]" if ":" in server["address"] else server["address"]
    urls = []
    if mode != SdkMode.TCP:
        urls.append(f"turn:{host}:{settings.TURN_UDP_PORT}?transport=udp")
    if mode != SdkMode.UDP:
        urls.append(f"turn:{host}:{settings.TURN_TCP_PORT}?transport=tcp")
        if server["tls_hostname"]:
            urls.append(f"turns:{server['tls_hostname']}:{settings.TURN_TLS_PORT}?transport=tcp")
    return urls


def _agora_turn_server(server: dict, mode: str) -> dict:
    """Return the ``TurnServerConfig`` of one proxy, without credentials."""
    if mode == SdkMode.UDP:
        return {"turnServerURL": server["address"], "udpport": settings.TURN_UDP_PORT}
    if mode == SdkMode.TCP and server["tls_hostname"]:
        return {
            "turnServerURL": server["tls_hostname"],
            "tcpport": settings.TURN_TLS_PORT,
            "security": True,
        }
    config = {"turnServerURL": server["address"], "tcpport": settings.TURN_TCP_PORT}
    if mode == SdkMode.AUTO:
        config["udpport"] = settings.TURN_UDP_PORT
    return config


def _mode_part(endpoints: list, pools: dict, mode: str, spread: int) -> dict:
    servers = _servers(endpoints, pools, mode)
    chosen = _chosen_proxies(servers, spread)
    return {
        "servers": servers,
        "ice": [_turn_urls(server, mode) for server in chosen],
        "agora": [_agora_turn_server(server, mode) for server in chosen],
    }


def sdk_static_config_render(
    *,
    endpoints: list[AllocatedEndpoint],
    rule_version: str | None,
    pools: dict | None = None,
    pending_version: str | None = None,
    effective_at: datetime | None = None,
) -> dict | None:
    """Return the cacheable part of an app's proxy config for every mode from its served
    ``endpoints`` (``pools``: their pools by id with regions, read when not given), or None
    when there are none. ``pending_version`` is a newer version not served yet, taking
    effect at ``effective_at`` unless acknowledged before."""
    if not endpoints:
        return None
    has_production = any(e.allocation.kind == AllocationKind.PRODUCTION for e in endpoints)
    environment = AllocationKind.PRODUCTION if has_production else AllocationKind.TEST
    endpoints = [e for e in endpoints if e.allocation.kind == environment]
    if pools is None:
        pools = ProxyPool.objects.select_related("region").in_bulk({e.pool_id for e in endpoints})
    spread = endpoints[0].allocation.request_id
    modes = {mode: _mode_part(endpoints, pools, mode, spread) for mode in SdkMode.values}
    snapshot = json.dumps([environment, modes[SdkMode.AUTO]["servers"]], sort_keys=True)
    version = rule_version or "s" + hashlib.sha256(snapshot.encode()).hexdigest()[:16]
    return {
        "environment": str(environment),
        "version": version,
        "modes": modes,
        "pending_version": pending_version,
        "effective_at": _isoformat(int(effective_at.timestamp())) if effective_at else None,
    }


def _isoformat(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def _agora_block(part: dict, mode: str, credential) -> dict:
    proxy_mode = AGORA_PROXY_MODES[mode]
    forced = proxy_mode is not None
    turn_servers = []
    if credential is not None:
        login = {"username": credential.username, "password": credential.credential}
        turn_servers = [{**c, **login, "forceturn": forced} for c in part["agora"]]
    return {
        "start_proxy_server": forced,
        "proxy_mode": proxy_mode,
        "note": FORCED_NOTE if forced else AUTO_NOTE,
        "turn_servers": turn_servers,
    }


def _body(*, app_id: str, mode: str, static: dict, credential, expires: str, ttl) -> dict:
    part = static["modes"][mode]
    ice_servers = [
        {"urls": urls, "username": credential.username, "credential": credential.credential}
        for urls in (part["ice"] if credential else [])
    ]
    return {
        "app_id": app_id,
        "environment": static["environment"],
        "version": static["version"],
        "mode": mode,
        "sdk_mode": AGORA_PROXY_MODES[mode],
        "servers": part["servers"],
        "ice_servers": ice_servers,
        "agora": _agora_block(part, mode, credential),
        "pending_version": static.get("pending_version"),
        "effective_at": static.get("effective_at"),
        "ttl": ttl,
        "expires_at": expires,
    }


def _dumps(body: dict) -> str:
    return json.dumps(body, separators=(",", ":"))


def _answer(content: str) -> tuple[bytes, str]:
    data = content.encode()
    return data, f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def sdk_body_render(*, app_id: str, mode: str, static: dict, expires_at: int) -> tuple[bytes, str]:
    """Return the JSON body of one answer, with TURN credentials expiring at ``expires_at``,
    and its ETag."""
    credential = None
    if static["modes"][mode]["ice"] and settings.TURN_SHARED_SECRETS:
        credential = turn_credential_mint(app_id=app_id, expires_at=expires_at)
    body = _body(
        app_id=app_id,
        mode=mode,
        static=static,
        credential=credential,
        expires=_isoformat(expires_at),
        ttl=settings.TURN_CREDENTIAL_TTL,
    )
    return _answer(_dumps(body))


# Stand-ins for what changes per credential bucket, replaced in a pre-rendered body.
_HOLES = {name: f"\x00{name}\x00" for name in ("username", "credential", "expires", "ttl")}
_ESCAPED = {name: _dumps(hole)[1:-1] for name, hole in _HOLES.items()}


def sdk_body_templates(*, app_id: str, static: dict) -> dict[str, str]:
    """Return each mode's answer pre-rendered with holes for the credentials, their expiry
    and lifetime: a request then fills the holes instead of serializing the servers."""
    holes = TurnCredential(
        username=_HOLES["username"], credential=_HOLES["credential"], expires_at=0
    )
    return {
        mode: _dumps(
            _body(
                app_id=app_id,
                mode=mode,
                static=static,
                credential=holes if static["modes"][mode]["ice"] else None,
                expires=_HOLES["expires"],
                ttl=_HOLES["ttl"],
            )
        )
        for mode in static["modes"]
    }


def sdk_body_fill(*, template: str, app_id: str, expires_at: int) -> tuple[bytes, str]:
    """Return the body and ETag of a pre-rendered answer (TURN secrets configured), equal
    to what sdk_body_render returns."""
    credential = turn_credential_mint(app_id=app_id, expires_at=expires_at)
    content = (
        template.replace(_ESCAPED["username"], credential.username)
        .replace(_ESCAPED["credential"], credential.credential)
        .replace(_ESCAPED["expires"], _isoformat(expires_at))
        .replace(f'"{_ESCAPED["ttl"]}"', str(settings.TURN_CREDENTIAL_TTL))
    )
    return _answer(content)


def sdk_max_age(*, expires_at: int, now: float) -> int:
    """Return the Cache-Control max-age of an answer whose credentials expire at
    ``expires_at``: a share of the credential bucket, so browsers revalidate while the ETag
    still holds and get 304, and never beyond the moment the next bucket takes over."""
    until_next_bucket = max(0, expires_at - settings.TURN_CREDENTIAL_TTL - int(now))
    return min(
        until_next_bucket, max(1, settings.TURN_CREDENTIAL_BUCKET // REVALIDATIONS_PER_BUCKET)
    )
