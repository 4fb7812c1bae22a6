"""nftables elements computed on integers are what ipaddress computes on objects."""

import ipaddress
import itertools
import random

import pytest

from rules.exports.intervals import disjoint


def reference(items, family):
    """The disjoint elements as ipaddress objects give them (the first implementation)."""
    networks_of = [(ipaddress.ip_network(d), a, b) for d, a, b in items]
    cuts = sorted({a for _, a, _ in items} | {b + 1 for _, _, b in items})
    pieces = []
    for first, after in itertools.pairwise(cuts):
        found = [n for n, a, b in networks_of if a <= first and after - 1 <= b]
        if found:
            pieces.append([tuple(ipaddress.collapse_addresses(found)), first, after - 1])
    joined = []
    for networks, first, last in pieces:
        if joined and joined[-1][0] == networks and joined[-1][2] + 1 == first:
            joined[-1][2] = last
        else:
            joined.append([networks, first, last])
    return [(str(n), first, last) for networks, first, last in joined for n in networks]


def random_items(seed: int, family: int):
    rng = random.Random(seed)
    bits = 32 if family == 4 else 128
    base = int(ipaddress.ip_address("198.51.100.0" if family == 4 else "2001:db8::"))
    items = []
    for _ in range(rng.randint(1, 60)):
        prefix = bits - rng.choice([0, 0, 0, 1, 2, 3])
        size = 1 << (bits - prefix)
        address = base + rng.randrange(0, 64, size)
        network = ipaddress.ip_network((address, prefix))
        first = rng.choice([443, 3433, 3478, 4000, 5000])
        items.append((str(network), first, first + rng.choice([0, 0, 10, 30, 600])))
    return items


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("seed", range(40))
def test_integer_elements_equal_the_ipaddress_ones(seed, family):
    items = random_items(seed, family)
    assert disjoint(items, family) == reference(items, family)


def test_neighbouring_networks_merge_into_a_wider_one():
    items = [("192.0.2.0/32", 443, 443), ("192.0.2.1/32", 443, 443), ("192.0.2.2/31", 443, 450)]
    assert disjoint(items, 4) == [("192.0.2.0/30", 443, 443), ("192.0.2.2/31", 444, 450)]
