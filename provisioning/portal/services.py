"""The portal's one write that spans two models: a request and its app's source networks."""

from django.db import transaction

from accounts.models import App
from provisioning.models import ProvisioningRequest
from provisioning.services.apps import app_source_networks_set
from provisioning.services.requests import request_submit


@transaction.atomic
def portal_request_submit(
    *,
    app: App,
    regions,
    isps,
    concurrency: int,
    source_networks: list[str],
    notes: str = "",
    actor=None,
) -> ProvisioningRequest:
    """Submit a request and record the app's source networks, all or nothing."""
    request = request_submit(
        app=app, regions=regions, isps=isps, concurrency=concurrency, notes=notes, actor=actor
    )
    if source_networks and source_networks != app.source_networks:
        app_source_networks_set(app=app, source_networks=source_networks)
    return request
