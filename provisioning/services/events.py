"""Record the audit trail of provisioning requests."""

from provisioning.models import ProvisioningRequest, RequestEvent


def request_event_record(
    *,
    request: ProvisioningRequest,
    to_status: str,
    from_status: str = "",
    actor=None,
    reason="",
    change=None,
) -> RequestEvent:
    """Append an event to the request's history (about one of its changes, if given)."""
    return RequestEvent.objects.create(
        change=change,
        request=request,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
