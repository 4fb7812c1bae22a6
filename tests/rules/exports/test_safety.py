"""Every renderer refuses a rule set holding a value that is not in its canonical form,
whichever entry holds it; a canonical one renders."""

from dataclasses import replace

import pytest

from rules.exceptions import UnsafeRuleSet
from rules.exports.registry import FORMATS
from tests.rules.conftest import mixed_document

UNSAFE = {
    "destination with host bits": {"destination": "198.51.100.5/31"},
    "destination with a scope ID": {"destination": "2001:db8::1%eth0/128"},
    "destination with a newline": {"destination": "198.51.100.9/32\n-A OUTPUT -j ACCEPT"},
    "short id": {"id": "0123456789a"},
    "long id": {"id": "0123456789abc"},
    "id with a quote": {"id": "0123456789a'"},
    "unknown protocol": {"protocol": "icmp"},
    "unknown environment": {"environment": "staging"},
    "purpose with a space": {"purpose": "media accept"},
    "purpose that is no text": {"purpose": 7},
}


@pytest.mark.parametrize("position", [0, -1])
@pytest.mark.parametrize("change", list(UNSAFE), ids=list(UNSAFE))
def test_a_non_canonical_entry_is_refused_by_every_format(change, position):
    document = mixed_document()
    entries = list(document.entries)
    entries[position] = replace(entries[position], **UNSAFE[change])
    unsafe = replace(document, entries=tuple(entries))
    for fmt in FORMATS.values():
        with pytest.raises(UnsafeRuleSet, match="cannot be rendered"):
            fmt.render(unsafe)


def test_a_canonical_rule_set_renders_in_every_format():
    document = mixed_document(source_networks=("10.0.0.0/8", "fd00::/8"))
    assert all(fmt.render(document).content for fmt in FORMATS.values())
