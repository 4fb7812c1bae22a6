"""A rule set of 1,000 destinations loads in an unprivileged network namespace."""

import ipaddress
from dataclasses import replace

import pytest

from rules.aggregation import entries_aggregate
from rules.exports.registry import FORMATS
from tests.rules.conftest import STANDARD_PORTS, mixed_document
from tests.rules.exports.validators import VALIDATORS, validate


@pytest.mark.parametrize("name", ["nftables", "iptables"])
def test_a_thousand_destinations_load_in_unshare(name):
    first = ipaddress.ip_address("198.18.0.0")
    endpoints = [("production", str(first + 2 * i), STANDARD_PORTS) for i in range(1000)]
    document = replace(mixed_document(source_networks=("10.0.0.0/8",)),
                       entries=entries_aggregate(endpoints))  # fmt: skip
    assert len({e.destination for e in document.entries}) == 1000
    result = validate(VALIDATORS[name], FORMATS[name].render(document).content)
    assert result.returncode == 0, result.stderr
