"""The request lifecycle: checked, audited transitions that allocate and release sets."""

from provisioning.services.lifecycle.actions import (
    ACTIONS,
    CHANGE,
    QUEUED_ACTIONS,
    RESIZE,
    ActionSpec,
    live_sets,
    open_change,
    transition_check,
)
from provisioning.services.lifecycle.changes import (
    change_request_approve,
    change_request_reject,
    change_request_review,
    change_request_submit,
    change_summary,
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
    "CHANGE",
    "QUEUED_ACTIONS",
    "RESIZE",
    "ActionSpec",
    "change_request_approve",
    "change_request_reject",
    "change_request_review",
    "change_request_submit",
    "change_summary",
    "live_sets",
    "open_change",
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
