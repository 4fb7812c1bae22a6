# TCP/UDP port numbers (RFC 793 / RFC 768); port 0 is reserved and never whitelisted.
MIN_PORT = 1
MAX_PORT = 65535

# Longest text form of an IPv6 network in CIDR notation ("ffff:...:ffff/128").
CIDR_MAX_LENGTH = 43

# A version is "YYYYMMDDNN": the UTC date and a two-digit counter per app per day.
VERSION_PATTERN = r"^[0-9]{10}$"
VERSION_LENGTH = 10
# Names the newest version wherever a version is asked for (URLs, the export command).
LATEST = "latest"
# The counter has two digits, so a day holds 99 versions. The 100th publication of a day
# borrows the next day's first number (see services.versions.version_next): versions stay
# ten digits and strictly increasing, and created_at keeps the real time.
VERSION_COUNTER_MAX = 99

# Entry ids are the first hex digits of a sha256 over (environment, protocol, destination,
# ports): 48 bits, so a collision inside one app's rule set is practically impossible.
ENTRY_ID_LENGTH = 12

# Names in vendor files carry this prefix and the first hex digits of the App ID, so that
# the rules of several apps can live on one firewall without clashing. 12 hex digits keep
# every generated name under the shortest vendor limit (FortiOS policy names, 35 chars).
NAME_PREFIX = "pp"
APP_TAG_LENGTH = 12
# Address objects are named by 12 hex digits of a sha256 of their network.
ADDRESS_ID_LENGTH = 12
# Group ids (environment, protocol, ports, purpose) are 8 hex digits of a sha256.
GROUP_ID_LENGTH = 8

# Longest "ports" text stored on an entry ("443,4000,3433-3460" and the like).
PORTS_TEXT_MAX_LENGTH = 512

# iptables multiport matches at most 15 ports, a range counting as two
# (iptables-extensions(8), "multiport").
IPTABLES_MULTIPORT_SLOTS = 15
# Google Cloud accepts at most 256 destination ranges per firewall rule
# (VPC firewall rules quotas: "source/destination IP ranges per rule").
GCE_RANGES_PER_RULE = 256
# FortiOS address groups: older releases cap members at 300 on small models; stay below.
FORTIGATE_GROUP_MEMBERS = 255
# New-NetFirewallRule takes long RemoteAddress lists, but keeping rules to a thousand
# addresses keeps Windows Defender Firewall's rule editor usable.
WINDOWS_ADDRESSES_PER_RULE = 1000
# Rules per iptables-restore COMMIT: a transaction is one netlink message, and in an
# unprivileged network namespace a few hundred rules already exceed its size.
IPTABLES_RULES_PER_COMMIT = 150
# FortiOS policies are keyed by id: each app owns a fixed block of ids far above those
# FortiOS assigns itself (it counts up from 1), so its policies are found again by id.
FORTIGATE_POLICY_BASE = 1_000_000_000
FORTIGATE_POLICY_SLOTS = 64
FORTIGATE_APP_BLOCKS = 1_000_000
# Address group slots per app (one per group, family and FORTIGATE_GROUP_MEMBERS chunk):
# room for 10,000 destinations per family in each of three port groups.
FORTIGATE_GROUP_SLOTS = 192

# Longest reason staff give for bringing a version's effective date forward.
SHORTEN_REASON_MAX_LENGTH = 500
