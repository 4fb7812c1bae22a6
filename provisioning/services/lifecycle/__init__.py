"""The request lifecycle: checked, audited transitions that allocate and release sets."""

from provisioning.services.lifecycle.actions import (
    ACTIONS,
    QUEUED_ACTIONS,
    RESIZE,
    ActionSpec,
    live_sets,
    transition_check,
)
from provisioning.services.lifecycle.resize import request_resize
from provisioning.services.lifecycle.transitions import (
    request_allocate_test,
    request_approve,
    request_reject,
    request_resume,
    request_revoke,
    request_suspend,
)
from provisioning.services.requests import request_submit

__all__ = [
    "ACTIONS",
    "QUEUED_ACTIONS",
    "RESIZE",
    "ActionSpec",
    "live_sets",
    "request_allocate_test",
    "request_approve",
    "request_reject",
    "request_resize",
    "request_resume",
    "request_revoke",
    "request_submit",
    "request_suspend",
    "transition_check",
]
