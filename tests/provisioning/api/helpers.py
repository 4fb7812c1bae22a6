"""Build what the API serves without going through the allocation engine."""

import base64

from django.utils import timezone

from accounts.services.api_keys import api_key_create
from accounts.services.sdk_generations import sdk_config_changed
from provisioning.choices import AllocationKind, AllocationStatus, PoolKind, PoolRole, RequestStatus
from provisioning.models import AllocatedEndpoint, Allocation, ProvisioningRequest
from tests.factories import ProxyPoolFactory, RegionFactory, request_for

STANDARD_PORTS = [
    {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 4000, "port_end": 4000, "purpose": "signalling"},
    {"protocol": "tcp", "port_start": 3433, "port_end": 3460, "purpose": "media"},
    {"protocol": "udp", "port_start": 3478, "port_end": 3500, "purpose": "media"},
]
EDGE_PORTS = [{"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": "edge"}]


def live_set(
    app,
    *,
    kind=AllocationKind.TEST,
    addresses=("192.0.2.10",),
    edge_addresses=(),
    request=None,
    request_status=None,
):
    """Give ``app`` a live allocation of ``kind`` with proxy (and edge) endpoints."""
    region = RegionFactory(code="na", name="North America")
    if request is None:
        request = ProvisioningRequest.objects.filter(app=app).first() or request_for(
            app, regions=[region]
        )
    status = request_status or (
        RequestStatus.ACTIVE if kind == AllocationKind.PRODUCTION else RequestStatus.TESTING
    )
    ProvisioningRequest.objects.filter(pk=request.pk).update(status=status)
    sdk_config_changed(app_ids=[app.app_id])  # bulk updates send no signals
    pool_kind = PoolKind.PRODUCTION if kind == AllocationKind.PRODUCTION else PoolKind.TEST
    pool = ProxyPoolFactory(kind=pool_kind, region=region)
    allocation = Allocation.objects.create(
        request=request, kind=kind, status=AllocationStatus.ACTIVE, activated_at=timezone.now()
    )
    for address in addresses:
        AllocatedEndpoint.objects.create(
            allocation=allocation,
            pool=pool,
            address=address,
            role=PoolRole.PROXY,
            region=region,
            ports=STANDARD_PORTS,
            dedicated=kind == AllocationKind.PRODUCTION,
        )
    for address in edge_addresses:
        AllocatedEndpoint.objects.create(
            allocation=allocation,
            pool=pool,
            address=address,
            role=PoolRole.EDGE,
            ports=EDGE_PORTS,
        )
    return allocation


def release(allocation):
    """End ``allocation`` the way the allocation engine does: status and endpoint flags."""
    Allocation.objects.filter(pk=allocation.pk).update(
        status=AllocationStatus.RELEASED, released_at=timezone.now()
    )
    allocation.endpoints.update(live=False, released_at=timezone.now())
    sdk_config_changed(app_ids=[allocation.request.app.app_id])  # bulk updates send no signals


def api_key_header(customer, scopes=("read", "rules", "requests"), **kwargs) -> dict:
    """Return the Authorization header of a new key of ``customer``."""
    _, raw_key = api_key_create(customer=customer, name="test", scopes=list(scopes), **kwargs)
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"}


def basic_auth_header(username: str, password: str = "correct horse battery") -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


SDK_URL = "/api/v1/sdk/proxy-config"


def sdk_get(client, app_id, mode=None, **headers):
    """GET the proxy config of ``app_id`` (and ``mode``) with extra request headers."""
    params = {"app_id": app_id}
    if mode:
        params["mode"] = mode
    return client.get(SDK_URL, params, **headers)


def redis_caches(url: str) -> dict:
    """CACHES with a Redis default cache at ``url``, with short socket timeouts."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
