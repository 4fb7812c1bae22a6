"""Move a change request between states, each move audited on its request's timeline."""

from django.utils import timezone

from provisioning.choices import ChangeStatus
from provisioning.models import ChangeRequest, ProvisioningRequest
from provisioning.services.events import request_event_record
from provisioning.services.lifecycle.actions import open_change


def change_move(
    *,
    change: ChangeRequest,
    request: ProvisioningRequest,
    to_status: str,
    actor,
    reason: str,
    record: bool = True,
) -> None:
    """Set the change's status; with ``record``, audit it on the request's timeline."""
    change.status = to_status
    change.status_changed_at = timezone.now()
    change.save(update_fields=["status", "status_changed_at", "updated_at"])
    if record:
        request_event_record(
            request=request,
            from_status=request.status,
            to_status=request.status,
            actor=actor,
            reason=reason,
            change=change,
        )


def change_cancel_open(*, request: ProvisioningRequest, actor, closed_as: str) -> None:
    """Cancel the open change of a request that is being closed (rejected or revoked)."""
    change = open_change(request)
    if change is None:
        return
    change_move(
        change=change,
        request=request,
        to_status=ChangeStatus.CANCELLED,
        actor=actor,
        reason=f"Change #{change.pk} cancelled: the request is {closed_as}.",
    )
