"""Submit proxy requests."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import App
from provisioning.choices import RequestStatus
from provisioning.models import Isp, ProvisioningRequest, Region
from provisioning.services.events import request_event_record


def request_scope_check(*, regions: list[Region], isps: list[Isp]) -> None:
    """Raise field-keyed errors when the regions or ISPs can't make a request."""
    errors = {}
    if not regions:
        errors["regions"] = "Choose at least one region."
    elif isps and not any(region.domestic for region in regions):
        errors["isps"] = (
            "ISPs apply to domestic (China mainland) regions only; "
            "overseas regions are served by multi-line pools."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_submit(
    *,
    app: App,
    regions: list[Region],
    concurrency: int,
    isps: list[Isp] = (),
    notes: str = "",
    actor=None,
) -> ProvisioningRequest:
    """Open a proxy request for ``app``; an app has at most one open request at a time."""
    regions, isps = list(regions), list(isps)
    request = ProvisioningRequest(
        app=app,
        concurrency=concurrency,
        notes=notes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    request.full_clean()
    request_scope_check(regions=regions, isps=isps)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        # A concurrent submission won the race that full_clean() could not see.
        raise ValidationError({"app": f"App {app.app_id} already has an open request."}) from exc
    request.regions.set(regions)
    request.isps.set(isps)
    request_event_record(
        request=request, to_status=RequestStatus.SUBMITTED, actor=actor, reason="Submitted."
    )
    return request
