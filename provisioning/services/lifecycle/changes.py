"""Changes to a live request: customers or staff ask, sales review, ops approve.

Approval resizes the request's live set all or nothing (see ``resize_locked``), publishes
the new rule set and e-mails the customer's admins; every step is on the timeline.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from provisioning.choices import ChangeStatus, RequestAction
from provisioning.exceptions import IllegalTransition, ProvisioningError
from provisioning.models import ChangeRequest, Isp, ProvisioningRequest, Region
from provisioning.services.events import request_event_record
from provisioning.services.lifecycle.actions import CHANGE, open_change, transition_check
from provisioning.services.lifecycle.change_state import change_move
from provisioning.services.lifecycle.resize import resize_locked, scope_resolve
from provisioning.services.lifecycle.transitions import caller_sync, request_lock
from provisioning.services.requests import request_scope_check

A = RequestAction


def _names(objects) -> str:
    return ", ".join(f"{obj.name} ({obj.code})" for obj in sorted(objects, key=lambda o: o.code))


def _set_change(label: str, before: list, after: list) -> list[str]:
    added = [obj for obj in after if obj not in before]
    removed = [obj for obj in before if obj not in after]
    parts = []
    if added:
        parts.append(f"add {label}{'s' * (len(added) > 1)} {_names(added)}")
    if removed:
        parts.append(f"remove {label}{'s' * (len(removed) > 1)} {_names(removed)}")
    return parts


def change_summary(*, request: ProvisioningRequest, concurrency: int, regions, isps) -> str:
    """Return what asking for this sizing changes, e.g. "peak users 100 → 500; add region
    Europe (eu)", or "" when it changes nothing."""
    parts = []
    if concurrency != request.concurrency:
        parts.append(f"peak users {request.concurrency:,} \u2192 {concurrency:,}")
    parts += _set_change("region", list(request.regions.all()), list(regions))
    parts += _set_change("ISP", list(request.isps.all()), list(isps))
    return "; ".join(parts)


def _labelled(label: str, reason: str) -> str:
    return f"{label}: {reason}" if reason else f"{label}."


def _change_create(*, locked, concurrency, regions, isps, summary, actor, notes):
    change = ChangeRequest(
        request=locked,
        concurrency=concurrency,
        summary=summary,
        notes=notes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    change.full_clean(exclude=["request"])
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as exc:
        # A concurrent change won the race that transition_check() could not see.
        raise ValidationError(
            {"request": f"Request #{locked.pk} already has an open change."}
        ) from exc
    change.regions.set(regions)
    change.isps.set(isps)
    return change


@transaction.atomic
def change_request_submit(
    *,
    request: ProvisioningRequest,
    concurrency: int | None = None,
    regions=None,
    isps=None,
    actor=None,
    reason: str = "",
) -> ChangeRequest:
    """Ask to change a live request's sizing; what is not given stays as it is.

    ``regions`` and ``isps`` are objects or codes; ``reason`` is kept as the change's notes.
    A request has at most one open change.
    """
    locked = request_lock(request)
    transition_check(request=locked, action=CHANGE)
    regions = scope_resolve(Region, regions, "regions") if regions is not None else None
    isps = scope_resolve(Isp, isps, "isps") if isps is not None else None
    asked_regions = regions if regions is not None else list(locked.regions.all())
    asked_isps = isps if isps is not None else list(locked.isps.all())
    asked_concurrency = concurrency if concurrency is not None else locked.concurrency
    request_scope_check(regions=asked_regions, isps=asked_isps)
    summary = change_summary(
        request=locked, concurrency=asked_concurrency, regions=asked_regions, isps=asked_isps
    )
    if not summary:
        raise ValidationError(
            "Nothing to change: the request already has this concurrency, these regions "
            "and these ISPs."
        )
    change = _change_create(
        locked=locked,
        concurrency=asked_concurrency,
        regions=asked_regions,
        isps=asked_isps,
        summary=summary,
        actor=actor,
        notes=reason,
    )
    request_event_record(
        request=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        reason=f"Change #{change.pk} asked: {summary}.",
        change=change,
    )
    caller_sync(request, locked)
    return change


def _open_change_locked(locked: ProvisioningRequest) -> ChangeRequest:
    change = open_change(locked)
    return ChangeRequest.objects.select_for_update().get(pk=change.pk)


def _open_change_move(
    *, request: ProvisioningRequest, action, to_status, label: str, actor, reason: str
) -> ChangeRequest:
    """Take ``action`` on the request's open change, moving it to ``to_status``; the
    timeline says ``label`` (with the change's number) and the reason given."""
    locked = request_lock(request)
    transition_check(request=locked, action=action)
    change = _open_change_locked(locked)
    change_move(
        change=change,
        request=locked,
        to_status=to_status,
        actor=actor,
        reason=_labelled(label.format(pk=change.pk), reason),
    )
    return change


@transaction.atomic
def change_request_review(
    *, request: ProvisioningRequest, actor=None, reason: str = ""
) -> ChangeRequest:
    """Mark the request's submitted change as reviewed by sales; ops may then approve it."""
    return _open_change_move(
        request=request,
        action=A.REVIEW_CHANGE,
        to_status=ChangeStatus.REVIEWED,
        label="Change #{pk} reviewed, waiting for ops",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def change_request_reject(
    *, request: ProvisioningRequest, actor=None, reason: str = ""
) -> ChangeRequest:
    """Turn down the request's open change; the live set stays as it is."""
    return _open_change_move(
        request=request,
        action=A.REJECT_CHANGE,
        to_status=ChangeStatus.REJECTED,
        label="Change #{pk} rejected",
        actor=actor,
        reason=reason,
    )


def _approve(*, request: ProvisioningRequest, actor, reason: str) -> ChangeRequest:
    locked = request_lock(request)
    transition_check(request=locked, action=A.APPROVE_CHANGE)
    change = _open_change_locked(locked)
    label = _labelled(f"Change #{change.pk} approved", reason)
    outcome = resize_locked(
        locked=locked,
        concurrency=change.concurrency,
        regions=list(change.regions.all()),
        isps=list(change.isps.all()),
        actor=actor,
        reason=label,
        about=change,
    )
    change_move(
        change=change,
        request=locked,
        to_status=ChangeStatus.APPLIED,
        actor=actor,
        reason=f"{label} The request already had this sizing; nothing to resize.",
        record=not outcome.recorded,
    )
    caller_sync(request, locked)
    return change


def change_request_approve(
    *, request: ProvisioningRequest, actor=None, reason: str = ""
) -> ChangeRequest:
    """Apply the request's reviewed change: resize its live set all or nothing (new
    addresses are picked before any is released; released ones go into quarantine),
    publish the new rule set and notify the customer.

    When the pools can't serve the change nothing changes; the failure is on the timeline
    and the change stays reviewed, to approve again once the pools have room.
    """
    try:
        with transaction.atomic():
            return _approve(request=request, actor=actor, reason=reason)
    except IllegalTransition:
        raise
    except ProvisioningError as exc:
        change = open_change(request)
        request.refresh_from_db()
        request_event_record(
            request=request,
            from_status=request.status,
            to_status=request.status,
            actor=actor,
            reason=(
                f"Change #{change.pk} could not be applied and nothing changed: "
                f"{' '.join(exc.messages)} Give the pool more addresses, then approve again."
            ),
            change=change,
        )
        raise
