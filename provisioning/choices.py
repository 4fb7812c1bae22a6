from django.db import models

from rules.choices import Protocol as Protocol  # Defined with the firewall entries it names.


class PortPurpose(models.TextChoices):
    SIGNALLING = "signalling", "Message (signalling) data"
    MEDIA = "media", "Media exchange"
    EDGE = "edge", "Edge node communication"


class PoolKind(models.TextChoices):
    TEST = "test", "Test (shared)"
    # Production edge pools are shared by customers; only production proxy pools are
    # carved out per customer (``ProxyPool.sharing_label`` says which).
    PRODUCTION = "production", "Production"


class PoolRole(models.TextChoices):
    PROXY = "proxy", "Proxy"
    EDGE = "edge", "Edge"


class PoolScope(models.TextChoices):
    DOMESTIC = "domestic", "Domestic (China mainland)"
    OVERSEAS = "overseas", "Overseas"
    GLOBAL = "global", "Both domestic and overseas"


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TESTING = "testing", "Testing"
    PRODUCTION_PENDING = "production_pending", "Production pending"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


# A request in one of these states is finished; an app may then open a new one.
CLOSED_REQUEST_STATUSES = (RequestStatus.REJECTED, RequestStatus.REVOKED)
OPEN_REQUEST_STATUSES = tuple(s for s in RequestStatus if s not in CLOSED_REQUEST_STATUSES)
# A request in one of these states is served (SDK config) and published (firewall rules).
# A submitted request has no sets yet; a suspended one keeps its addresses but gets no
# proxy service.
SERVED_REQUEST_STATUSES = (
    RequestStatus.TESTING,
    RequestStatus.PRODUCTION_PENDING,
    RequestStatus.ACTIVE,
)


class AllocationKind(models.TextChoices):
    TEST = "test", "Test"
    PRODUCTION = "production", "Production"


class AllocationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Failed"


# An allocation in one of these states holds its addresses.
LIVE_ALLOCATION_STATUSES = (AllocationStatus.PENDING, AllocationStatus.ACTIVE)


class RequestAction(models.TextChoices):
    """What staff can ask of a request; each runs as a task."""

    ALLOCATE_TEST = "allocate-test", "Allocate test set"
    APPROVE = "approve", "Approve production"
    REJECT = "reject", "Reject"
    SUSPEND = "suspend", "Suspend"
    RESUME = "resume", "Resume"
    REVOKE = "revoke", "Revoke"
    REVIEW_CHANGE = "review-change", "Review change"
    APPROVE_CHANGE = "approve-change", "Approve change"
    REJECT_CHANGE = "reject-change", "Reject change"


class ChangeStatus(models.TextChoices):
    """Where a change to a live request stands: sales review it, ops approve it."""

    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed, waiting for ops"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


# A change in one of these states is still to be decided; a request has at most one.
OPEN_CHANGE_STATUSES = (ChangeStatus.SUBMITTED, ChangeStatus.REVIEWED)


class SdkMode(models.TextChoices):
    """How the SDK reaches the proxies (Agora's cloud proxy modes)."""

    AUTO = "auto", "Automatic: UDP and TCP"
    UDP = "udp", "Force UDP (mode 3)"
    TCP = "tcp", "Force TCP/TLS 443 (mode 5)"


class ActionRunState(models.TextChoices):
    """Where a staff action queued as a task stands (``RequestActionRun``)."""

    ACCEPTED = "accepted", "Accepted, waiting for the task queue"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Retrying"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# A run in one of these states has ended: a message delivered again changes nothing.
FINISHED_ACTION_RUN_STATES = (ActionRunState.DONE, ActionRunState.FAILED)


class ReportSource(models.TextChoices):
    BROWSER = "browser", "Browser check"
    PROBE = "probe", "Command-line probe"


class ProbeOutcome(models.TextChoices):
    REACHABLE = "reachable", "Passed"
    BLOCKED = "blocked", "Blocked"
    TIMED_OUT = "timed_out", "Timed out"
