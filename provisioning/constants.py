# TCP/UDP port numbers and the longest CIDR text are defined beside the firewall rules.
from rules.constants import CIDR_MAX_LENGTH as CIDR_MAX_LENGTH
from rules.constants import MAX_PORT as MAX_PORT
from rules.constants import MIN_PORT as MIN_PORT

# Concurrency is peak concurrent users. The upper bound keeps sizing arithmetic and pool
# requests sane: ten million users would need tens of thousands of dedicated addresses,
# which is a sales conversation, not a form entry.
MAX_CONCURRENCY = 10_000_000

# Pool sizing defaults (DESIGN.md section 4): one spare address per allocation, and
# released addresses rest before reuse so a customer's stale whitelist never points
# at another customer's proxy.
DEFAULT_CAPACITY_PER_ADDRESS = 500
DEFAULT_REDUNDANCY = 1
DEFAULT_QUARANTINE_DAYS = 30

# The Celery task that runs staff actions on requests (provisioning/tasks.py), named here so
# that the services queue it and the ops queue reads its results without importing tasks.
REQUEST_ACTION_TASK = "provisioning.tasks.request_action_task"

# The ops queue (admin): failed actions of the last week, test sets ending within a week
# (the customer's first reminder goes out 7 days before, see services/notifications.py).
OPS_QUEUE_FAILURE_DAYS = 7
OPS_QUEUE_EXPIRY_DAYS = 7

# Shared pools (test and edge) give every allocation all of their addresses, and each one
# becomes a line in a customer's firewall: a larger shared pool is a configuration mistake.
MAX_SHARED_POOL_ADDRESSES = 256

# Connectivity reports: a probe tries every address and port it samples, so the largest
# app (a few hundred addresses, about ten sampled ports each) stays under this; a longer
# report is refused rather than stored in part.
MAX_REPORT_RESULTS = 4096
# The longest time a report may claim for one try (the probe and the page give up sooner).
MAX_PROBE_MS = 120_000
# The probe samples a port range at both ends and this many ports inside.
PROBE_PORTS_INSIDE_RANGE = 3
# Addresses the probe expands one destination network into, at most.
PROBE_ADDRESSES_PER_NETWORK = 16
# Reports a browser check link may send an hour: a colleague re-running the check now and
# then, never a flood from whoever holds the link.
LINK_REPORTS_PER_HOUR = 60
