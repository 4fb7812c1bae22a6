"""Render an app's proxy config: the per-app static part for every mode, then the body of
one answer with fresh TURN credentials."""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings

from provisioning.choices import AllocationKind, PoolRole, Protocol, SdkMode
from provisioning.models import AllocatedEndpoint
from provisioning.services.turn import turn_credential_mint

# "Force TCP/TLS 443" (Agora mode 5): only TCP 443 gets through the strictest firewalls.
TLS_PORT = 443


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


def sdk_static_config_render(
    *, endpoints: list[AllocatedEndpoint], rule_version: str | None
) -> dict | None:
    """Return the cacheable part of an app's proxy config for every mode from its served
    ``endpoints``, or None when there are none."""
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


def _isoformat(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def sdk_body_render(*, app_id: str, mode: str, static: dict, expires_at: int) -> tuple[bytes, str]:
    """Return the JSON body of one answer, with TURN credentials expiring at ``expires_at``,
    and its ETag."""
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
