# Concurrency is peak concurrent users. The upper bound keeps sizing arithmetic and pool
# requests sane: ten million users would need tens of thousands of dedicated addresses,
# which is a sales conversation, not a form entry.
MAX_CONCURRENCY = 10_000_000

# TCP/UDP port numbers (RFC 793 / RFC 768); port 0 is reserved and never whitelisted.
MIN_PORT = 1
MAX_PORT = 65535

# Pool sizing defaults (DESIGN.md section 4): one spare address per allocation, and
# released addresses rest before reuse so a customer's stale whitelist never points
# at another customer's proxy.
DEFAULT_CAPACITY_PER_ADDRESS = 500
DEFAULT_REDUNDANCY = 1
DEFAULT_QUARANTINE_DAYS = 30

# Longest text form of an IPv6 network in CIDR notation ("ffff:...:ffff/128").
CIDR_MAX_LENGTH = 43
