"""Reference data from the onboarding seed (DESIGN.md section 1).

The shared test set is published to customers as is: the addresses, ports and purposes
below must match the seed's table exactly.
"""

from provisioning.choices import PoolKind, PoolRole, PoolScope, PortPurpose, Protocol

REGIONS = [
    # (code, name, domestic)
    ("cn-east", "China East", True),
    ("cn-north", "China North", True),
    ("cn-south", "China South", True),
    ("cn-west", "China West", True),
    ("hk", "Hong Kong", False),
    ("sea", "Southeast Asia", False),
    ("jp", "Japan", False),
    ("na", "North America", False),
    ("eu", "Europe", False),
]

ISPS = [
    ("telecom", "China Telecom"),
    ("unicom", "China Unicom"),
    ("mobile", "China Mobile"),
    ("cernet", "CERNET (China Education and Research Network)"),
    ("bgp", "BGP multi-line"),
]

STANDARD_PROFILE = "standard"
EDGE_PROFILE = "edge"

# Host names of the test proxies for TURN over TLS on 443 (``ProxyPool.tls_hostname_pattern``):
# the TURN servers' wildcard certificate covers them. Set once; staff may change it.
TEST_TLS_HOSTNAME_PATTERN = "{dashed}.turn.example.net"

PORT_PROFILES = {
    STANDARD_PROFILE: {
        "name": "Standard proxy ports",
        "description": "Signalling on TCP 443 and 4000, media on TCP 3433-3460 and UDP 3478-3500.",
        "ranges": [
            (Protocol.TCP, 443, 443, PortPurpose.SIGNALLING),
            (Protocol.TCP, 4000, 4000, PortPurpose.SIGNALLING),
            (Protocol.TCP, 3433, 3460, PortPurpose.MEDIA),
            (Protocol.UDP, 3478, 3500, PortPurpose.MEDIA),
        ],
    },
    EDGE_PROFILE: {
        "name": "Edge node ports",
        "description": "Edge node communication on TCP 443.",
        "ranges": [(Protocol.TCP, 443, 443, PortPurpose.EDGE)],
    },
}

TEST_POOLS = [
    {
        "name": "Test domestic",
        "kind": PoolKind.TEST,
        "role": PoolRole.PROXY,
        "scope": PoolScope.DOMESTIC,
        "profile": STANDARD_PROFILE,
        "prefixes": ["150.138.153.78/32"],
    },
    {
        "name": "Test overseas",
        "kind": PoolKind.TEST,
        "role": PoolRole.PROXY,
        "scope": PoolScope.OVERSEAS,
        "profile": STANDARD_PROFILE,
        "prefixes": ["23.236.115.138/32", "148.153.66.218/32"],
    },
    {
        "name": "Test edge nodes",
        "kind": PoolKind.TEST,
        "role": PoolRole.EDGE,
        "scope": PoolScope.GLOBAL,
        "profile": EDGE_PROFILE,
        "prefixes": [
            "47.74.211.17/32",
            "52.80.192.229/32",
            "52.52.84.170/32",
            "47.96.234.219/32",
        ],
    },
]
