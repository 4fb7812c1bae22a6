"""Reads behind the customer portal pages and the staff pool pages."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from accounts.models import App
from accounts.selectors import user_apps
from provisioning.choices import (
    OPEN_REQUEST_STATUSES,
    AllocationKind,
    PoolRole,
    Protocol,
)
from provisioning.models import (
    AllocatedEndpoint,
    ProvisioningRequest,
    ProxyPool,
    RequestEvent,
)
from provisioning.querysets import environment_of
from provisioning.selectors.allocations import app_live_endpoints, pool_usage


def user_requests(*, user) -> QuerySet[ProvisioningRequest]:
    """Return the requests of the apps ``user`` may see, newest first."""
    return (
        ProvisioningRequest.objects.filter(app__in=user_apps(user=user))
        .select_related("app__customer", "created_by")
        .prefetch_related("regions", "isps")
        .order_by("-created_at", "-pk")
    )


def user_request_get(*, user, pk: int) -> ProvisioningRequest:
    """Return request ``pk`` if ``user`` may see it; raise Http404 otherwise."""
    request = user_requests(user=user).filter(pk=pk).first()
    if request is None:
        raise Http404("No such request.")
    return request


def request_timeline(*, request: ProvisioningRequest) -> QuerySet[RequestEvent]:
    """Return the request's events, oldest first, with who acted."""
    return request.events.select_related("actor").order_by("created_at", "pk")


def app_open_request(*, app: App) -> ProvisioningRequest | None:
    """Return the app's open request, or else its latest one, or None."""
    requests = app.requests.prefetch_related("regions", "isps").order_by("-created_at", "-pk")
    return requests.filter(status__in=OPEN_REQUEST_STATUSES).first() or requests.first()


def ports_label(ports: list[dict], protocol: str) -> str:
    """Return the ports of one protocol in a snapshot, e.g. "443, 4000, 3433-3460"."""
    labels = []
    for entry in sorted(ports, key=lambda e: e.get("port_start") or 0):
        if entry.get("protocol") != protocol:
            continue
        start, end = entry.get("port_start"), entry.get("port_end")
        labels.append(str(start) if start == end else f"{start}-{end}")
    return ", ".join(labels)


@dataclass
class EndpointGroup:
    """The addresses of one region, ISP and role that share their ports."""

    region: str
    isp: str
    role: str
    environment: str
    tcp_ports: str
    udp_ports: str
    addresses: list[str] = field(default_factory=list)


def app_endpoint_groups(*, app: App) -> list[EndpointGroup]:
    """Return the app's live endpoints grouped by region, ISP and role, with their ports."""
    groups: dict[tuple, EndpointGroup] = {}
    for endpoint in app_live_endpoints(app=app):
        region = endpoint.region.name if endpoint.region else "All regions"
        isp = endpoint.isp.name if endpoint.isp else "Any (multi-line)"
        tcp = ports_label(endpoint.ports, Protocol.TCP)
        udp = ports_label(endpoint.ports, Protocol.UDP)
        key = (region, isp, endpoint.role, endpoint.allocation.kind, tcp, udp)
        if key not in groups:
            groups[key] = EndpointGroup(
                region=region,
                isp=isp,
                role=PoolRole(endpoint.role).label,
                environment=AllocationKind(endpoint.allocation.kind).label,
                tcp_ports=tcp,
                udp_ports=udp,
            )
        groups[key].addresses.append(endpoint.address)
    # Proxies before edge nodes, then by where they are.
    return sorted(groups.values(), key=lambda g: (g.role != "Proxy", g.region, g.isp))


@dataclass
class DashboardRow:
    """One app on the dashboard, with its current request and environment."""

    app: App
    request: ProvisioningRequest | None
    environment: str | None
    endpoint_count: int


def dashboard_rows(*, user) -> list[DashboardRow]:
    """Return the user's apps with their open (or latest) request and live endpoint count."""
    apps = user_apps(user=user).prefetch_related(
        Prefetch(
            "requests",
            queryset=ProvisioningRequest.objects.order_by("-created_at", "-pk"),
            to_attr="ordered_requests",
        )
    )
    live = (
        AllocatedEndpoint.objects.served()
        .of_apps(apps)
        .values("allocation__request__app_id", "allocation__kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in live:
        counts[row["allocation__request__app_id"]][row["allocation__kind"]] = row["count"]
    rows = []
    for app in apps:
        requests = app.ordered_requests
        current = next((r for r in requests if r.is_open), requests[0] if requests else None)
        kinds = counts.get(app.pk, {})
        environment = environment_of(kinds)
        rows.append(DashboardRow(app, current, environment, sum(kinds.values())))
    return rows


def pool_utilization(*, pool: ProxyPool):
    """Return the pool's live, quarantined, excluded and free addresses (see pool_usage)."""
    return pool_usage(pool=pool)
