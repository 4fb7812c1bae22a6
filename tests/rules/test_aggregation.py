from rules.aggregation import (
    entries_aggregate,
    ports_merge,
    source_networks_normalize,
)
from tests.rules.conftest import EDGE_PORTS, MIXED_ENDPOINTS, STANDARD_PORTS


def test_ports_merge_joins_overlapping_and_adjacent_ranges():
    assert ports_merge([(443, 443), (444, 450), (4000, 4000), (3433, 3460), (3440, 3470)]) == (
        (443, 450),
        (3433, 3470),
        (4000, 4000),
    )


def test_addresses_collapse_to_minimal_networks_per_family_and_group():
    entries = entries_aggregate(MIXED_ENDPOINTS)
    signalling = {
        e.destination
        for e in entries
        if e.environment == "production" and e.purpose == "signalling"
    }
    # .4 and .5 make a /31; .9 stays alone; the two IPv6 addresses make a /127.
    assert signalling == {"198.51.100.4/31", "198.51.100.9/32", "2001:db8::10/127"}
    assert all(e.ports == ((443, 443), (4000, 4000)) for e in entries if e.purpose == "signalling")


def test_tcp_and_udp_and_purposes_stay_apart():
    entries = entries_aggregate([("test", "192.0.2.1", STANDARD_PORTS)])
    assert [(e.protocol, e.ports, e.purpose) for e in entries] == [
        ("tcp", ((3433, 3460),), "media"),
        ("tcp", ((443, 443), (4000, 4000)), "signalling"),
        ("udp", ((3478, 3500),), "media"),
    ]


def test_an_address_with_the_same_ports_for_two_purposes_gets_one_entry():
    signalling_443 = [{**STANDARD_PORTS[0]}]
    entries = entries_aggregate(
        [("test", "192.0.2.1", signalling_443), ("test", "192.0.2.1", EDGE_PORTS)]
    )
    assert [(e.destination, e.purpose) for e in entries] == [("192.0.2.1/32", "edge+signalling")]


def test_environments_keep_their_own_entries_and_ids():
    entries = entries_aggregate(
        [("test", "192.0.2.1", EDGE_PORTS), ("production", "192.0.2.1", EDGE_PORTS)]
    )
    assert len({e.id for e in entries}) == 2


def test_malformed_snapshot_items_and_free_text_purposes_never_reach_entries():
    ports = [
        {"protocol": "icmp", "port_start": 1, "port_end": 1, "purpose": "media"},
        {"protocol": "tcp", "port_start": 0, "port_end": 70000, "purpose": "media"},
        {"protocol": "tcp"},
        {"protocol": "tcp", "port_start": 443, "port_end": 443, "purpose": 'x"; rm -rf /'},
    ]
    entries = entries_aggregate([("test", "192.0.2.1", ports)])
    assert [(e.protocol, e.ports, e.purpose) for e in entries] == [("tcp", ((443, 443),), "other")]


def test_source_networks_are_collapsed_and_sorted_ipv4_first():
    assert source_networks_normalize(
        ["2001:db8::/33", "10.0.1.0/24", "10.0.0.0/24", "2001:db8:8000::/33", "bogus"]
    ) == ("10.0.0.0/23", "2001:db8::/32")
