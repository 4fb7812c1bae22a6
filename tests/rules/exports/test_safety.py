"""Every renderer refuses a rule set holding a value that is not in its canonical form,
whichever entry holds it; a canonical one renders."""

from dataclasses import replace

import pytest

from accounts.validators import is_canonical_network
from rules.exceptions import UnsafeRuleSet
from rules.exports import safety
from rules.exports.deltas import delta_render
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


@pytest.mark.parametrize("change", list(UNSAFE), ids=list(UNSAFE))
def test_a_non_canonical_entry_is_refused_by_every_delta(change):
    document = mixed_document()
    entries = list(document.entries)
    entries[-1] = replace(entries[-1], **UNSAFE[change])
    unsafe = replace(document, entries=tuple(entries))
    for name in FORMATS:
        for old, new in ((document, unsafe), (unsafe, document)):
            with pytest.raises(UnsafeRuleSet, match="cannot be rendered"):
                delta_render(old=old, new=new, format_name=name)


def test_a_canonical_rule_set_renders_in_every_format():
    document = mixed_document(source_networks=("10.0.0.0/8", "fd00::/8"))
    assert all(fmt.render(document).content for fmt in FORMATS.values())


TRICKY_NETWORKS = [
    "198.51.100.0/24", "198.51.100.5/32", "0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8",
    "198.51.100.5/31", "198.51.100.0/33", "256.1.1.0/24", "01.2.3.0/24", "1.2.3.0/024",
    "1.2.3.0/08", "1.2.3.4/32\n", "1.2.3.256/32", "999.1.1.0/24", "255.255.255.0/24",
    " 1.2.3.4/32", "1.2.3.4", "1.2.3/24", "1.2.3.4.5/32",
    "\u0661.2.3.4/32", "1.2.3.4/\u0663\u0662", "1.2.3.4/32%eth0", "1.2.3.0/-1", "1.2.3.0/",
    "2001:db8::/32", "2001:DB8::/32", "::ffff:1.2.3.4/128", "2001:db8::1%eth0/128",
]  # fmt: skip


@pytest.mark.parametrize("value", TRICKY_NETWORKS)
def test_the_ipv4_shortcut_only_ever_agrees_with_the_full_parse(value):
    if safety._canonical_ipv4(value):
        assert is_canonical_network(value)
    safety._canonical_text.cache_clear()
    assert safety._canonical_text(value) == is_canonical_network(value)
    if "." in value and "/" in value and ":" not in value:
        # Every IPv4 text the full parse calls canonical is recognised by the shortcut.
        assert safety._canonical_ipv4(value) == is_canonical_network(value)
