"""The request actions, one record each: where it may start, who may take it, whether it
asks for a reason, which service does it and how to tell it is already done.

Everything else about actions (the transition check, the permission check, the actions
offered to staff and over the API, the queued task's runner) is derived from ``ACTIONS``.
Each record names its service instead of importing it: the services check their own
transition against this table, so they import it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.permissions import Ability
from provisioning.choices import (
    OPEN_CHANGE_STATUSES,
    OPEN_REQUEST_STATUSES,
    AllocationKind,
    ChangeStatus,
    RequestAction,
    RequestStatus,
)
from provisioning.exceptions import IllegalTransition
from provisioning.models import Allocation, ChangeRequest, ProvisioningRequest

A = RequestAction
S = RequestStatus
C = ChangeStatus
# Resizing changes a request's sizing and has its own arguments; it is not a queued action.
RESIZE = "resize"
# Asking for a change to a live request (customers and staff); not a queued action either:
# the change it opens is reviewed, approved or rejected by the queued change actions.
CHANGE = "change"

# Sales record and triage requests (they may reject one); handing out, pausing and taking
# back addresses is ops' work (DESIGN.md section 2): who may is in accounts/permissions.py.
ALLOCATE = Ability.ALLOCATE
TRIAGE = Ability.TRIAGE


@dataclass
class LiveSets:
    test: Allocation | None
    production: Allocation | None


def live_sets(request: ProvisioningRequest) -> LiveSets:
    """Return the request's live test and production allocations."""
    live = {a.kind: a for a in request.allocations.live()}
    return LiveSets(
        test=live.get(AllocationKind.TEST), production=live.get(AllocationKind.PRODUCTION)
    )


def open_change(request: ProvisioningRequest) -> ChangeRequest | None:
    """Return the request's change that is still to be decided, if any."""
    return request.changes.filter(status__in=OPEN_CHANGE_STATUSES).order_by("-pk").first()


@dataclass(frozen=True)
class ActionSpec:
    """One action on a request."""

    action: str
    allowed_from: tuple[str, ...]
    # Completes "only a request that is <states> can ...".
    verb: str
    # The name of the service in ``provisioning.services.lifecycle``.
    service: str
    # Who may take it: a rule of accounts/permissions.py.
    ability: Ability
    # Whether the work is already done: a task run again (a redelivered message, a second
    # click) then changes nothing and succeeds. None: the action is never queued.
    done: Callable[[ProvisioningRequest], bool] | None = None
    # Actions that end or pause a customer's service ask for a reason and a confirmation.
    needs_reason: bool = False
    # Actions on the request's open change: the states that change must be in, and what
    # completes "only a change that is <states> can ...". Empty: not a change action.
    change_from: tuple[str, ...] = ()
    change_verb: str = ""

    @property
    def queued(self) -> bool:
        """Return whether staff start this action as a queued task (admin and API)."""
        return self.done is not None


def _has_test_set(request: ProvisioningRequest) -> bool:
    return live_sets(request).test is not None


def _is_active_in_production(request: ProvisioningRequest) -> bool:
    return request.status == S.ACTIVE and live_sets(request).production is not None


def _was_resumed(request: ProvisioningRequest) -> bool:
    return (
        request.is_open
        and request.status != S.SUSPENDED
        and request.events.filter(from_status=S.SUSPENDED).exists()
    )


def _is(status: str) -> Callable[[ProvisioningRequest], bool]:
    return lambda request: request.status == status


def _latest_change_is(*statuses: str) -> Callable[[ProvisioningRequest], bool]:
    def done(request: ProvisioningRequest) -> bool:
        latest = request.changes.order_by("-pk").first()
        return latest is not None and latest.status in statuses

    return done


# A change is asked while the request is served; once asked it can be turned down in any
# open state (the request may have been suspended meanwhile).
CHANGEABLE = (S.TESTING, S.ACTIVE)


ACTIONS: dict[str, ActionSpec] = {
    spec.action: spec
    for spec in (
        ActionSpec(
            action=A.ALLOCATE_TEST,
            allowed_from=(S.SUBMITTED, S.TESTING),
            verb="get a test set",
            service="request_allocate_test",
            ability=ALLOCATE,
            done=_has_test_set,
        ),
        ActionSpec(
            action=A.APPROVE,
            allowed_from=(S.SUBMITTED, S.TESTING, S.PRODUCTION_PENDING),
            verb="be approved",
            service="request_approve",
            ability=ALLOCATE,
            done=_is_active_in_production,
        ),
        ActionSpec(
            action=A.REJECT,
            allowed_from=(S.SUBMITTED, S.TESTING, S.PRODUCTION_PENDING),
            verb="be rejected",
            service="request_reject",
            ability=TRIAGE,
            done=_is(S.REJECTED),
            needs_reason=True,
        ),
        ActionSpec(
            action=A.SUSPEND,
            allowed_from=(S.TESTING, S.PRODUCTION_PENDING, S.ACTIVE),
            verb="be suspended",
            service="request_suspend",
            ability=ALLOCATE,
            done=_is(S.SUSPENDED),
            needs_reason=True,
        ),
        ActionSpec(
            action=A.RESUME,
            allowed_from=(S.SUSPENDED,),
            verb="be resumed",
            service="request_resume",
            ability=ALLOCATE,
            done=_was_resumed,
        ),
        ActionSpec(
            action=A.REVOKE,
            allowed_from=(S.SUBMITTED, S.TESTING, S.PRODUCTION_PENDING, S.ACTIVE, S.SUSPENDED),
            verb="be revoked",
            service="request_revoke",
            ability=ALLOCATE,
            done=_is(S.REVOKED),
            needs_reason=True,
        ),
        ActionSpec(
            action=A.REVIEW_CHANGE,
            allowed_from=CHANGEABLE,
            verb="have a change reviewed",
            service="change_request_review",
            ability=TRIAGE,
            done=_latest_change_is(C.REVIEWED, C.APPLIED),
            change_from=(C.SUBMITTED,),
            change_verb="be reviewed",
        ),
        ActionSpec(
            action=A.APPROVE_CHANGE,
            allowed_from=CHANGEABLE,
            verb="have a change approved",
            service="change_request_approve",
            ability=ALLOCATE,
            done=_latest_change_is(C.APPLIED),
            change_from=(C.REVIEWED,),
            change_verb="be approved (sales review it first)",
        ),
        ActionSpec(
            action=A.REJECT_CHANGE,
            allowed_from=OPEN_REQUEST_STATUSES,
            verb="have a change rejected",
            service="change_request_reject",
            ability=TRIAGE,
            done=_latest_change_is(C.REJECTED),
            needs_reason=True,
            change_from=OPEN_CHANGE_STATUSES,
            change_verb="be rejected",
        ),
        ActionSpec(
            action=CHANGE,
            allowed_from=CHANGEABLE,
            verb="be changed",
            service="change_request_submit",
            ability=TRIAGE,
        ),
        ActionSpec(
            action=RESIZE,
            allowed_from=(S.SUBMITTED, S.TESTING, S.ACTIVE),
            verb="be resized",
            service="request_resize",
            ability=ALLOCATE,
        ),
    )
}

# The actions staff queue, in the order they are offered; "resume" undoes "suspend".
QUEUED_ACTIONS = tuple(RequestAction(a) for a, spec in ACTIONS.items() if spec.queued)


def transition_check(*, request: ProvisioningRequest, action: str) -> None:
    """Raise ``IllegalTransition`` unless ``request`` may take ``action`` now."""
    spec = ACTIONS[action]
    if request.status not in spec.allowed_from:
        states = ", ".join(S(status).label.lower() for status in spec.allowed_from)
        raise IllegalTransition(
            {
                "status": (
                    f"Request #{request.pk} is {request.get_status_display().lower()}; "
                    f"only a request that is {states} can {spec.verb}."
                )
            },
            code="illegal_transition",
        )
    if action == A.ALLOCATE_TEST and request.status == S.TESTING and _has_test_set(request):
        raise IllegalTransition(
            {"status": f"Request #{request.pk} already has a live test set."},
            code="illegal_transition",
        )
    if spec.change_from:
        _change_check(request=request, spec=spec)
    if action == CHANGE and (change := open_change(request)) is not None:
        raise IllegalTransition(
            {
                "request": (
                    f"Request #{request.pk} already has an open change (#{change.pk}, "
                    f"{change.get_status_display().lower()}); wait for it to be decided."
                )
            },
            code="illegal_transition",
        )


def _change_check(*, request: ProvisioningRequest, spec: ActionSpec) -> None:
    change = open_change(request)
    if change is None:
        raise IllegalTransition(
            {"change": f"Request #{request.pk} has no open change."}, code="illegal_transition"
        )
    if change.status not in spec.change_from:
        states = " or ".join(C(status).label.lower() for status in spec.change_from)
        raise IllegalTransition(
            {
                "change": (
                    f"Change #{change.pk} is {change.get_status_display().lower()}; "
                    f"only a change that is {states} can {spec.change_verb}."
                )
            },
            code="illegal_transition",
        )
