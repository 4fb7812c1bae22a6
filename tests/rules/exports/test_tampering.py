"""The completeness check refuses a file that allows less, more, or from the wrong
sources than its rule set, in every format: each file is rendered, changed the way a
renderer bug would change it, and checked again."""

import pytest

from rules.exceptions import ExportIncomplete
from rules.exports.base import Rendered
from rules.exports.completeness import export_check_complete, export_missing
from rules.exports.registry import FORMATS
from tests.rules.conftest import mixed_document

SOURCES = ("10.0.0.0/8", "fd00::/8")
NETMASKS = {"8": "255.0.0.0", "31": "255.255.255.254", "32": "255.255.255.255"}
# An edge destination (TCP 443) per family, a destination of the rule set that TCP 443
# also reaches (the same family and sources), and a wider network holding the first.
EDGE = {4: "47.74.211.17/32", 6: "2001:db8:1::7/128"}
OTHER = {4: "150.138.153.78/32", 6: "2001:db8::10/127"}
WIDER = {4: "47.74.211.16/31", 6: "2001:db8:1::6/127"}


def written(name: str, network: str) -> str:
    """Return ``network`` as format ``name`` writes it."""
    address, _, bits = network.partition("/")
    ipv6 = ":" in address
    if name == "ciscoasa":
        if bits == ("128" if ipv6 else "32"):
            return f"host {address}"
        return network if ipv6 else f"{address} {NETMASKS[bits]}"
    if name == "fortigate":
        return f"set ip6 {network}" if ipv6 else f"set subnet {address} {NETMASKS[bits]}"
    return network


def family_of(name: str) -> int:
    return 6 if 6 in FORMATS[name].families else 4


def tampered(name: str, old: str, new: str):
    """Return the document, and its file in ``name`` with ``old`` written as ``new``."""
    document = mixed_document(source_networks=SOURCES)
    rendered = FORMATS[name].render(document)
    assert export_missing(document=document, rendered=rendered, format_name=name) == []
    old_text, new_text = written(name, old), written(name, new)
    assert old_text in rendered.content
    content = rendered.content.replace(old_text, new_text)
    return document, Rendered(content, rendered.omitted)


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_missing_destination_is_refused(name):
    family = family_of(name)
    document, rendered = tampered(name, EDGE[family], OTHER[family])
    entry = next(e for e in document.entries if e.destination == EDGE[family])

    problems = export_missing(document=document, rendered=rendered, format_name=name)

    assert problems == [f"tcp {EDGE[family]} port(s) 443 ({entry.id}) are not allowed"]
    with pytest.raises(ExportIncomplete, match="are not allowed"):
        export_check_complete(document=document, rendered=rendered, format_name=name)


@pytest.mark.parametrize("name", list(FORMATS))
def test_an_extra_destination_is_refused(name):
    """The edge destination is widened to a network holding it: all it should reach is
    still allowed, and the address next to it is allowed too."""
    family = family_of(name)
    document, rendered = tampered(name, EDGE[family], WIDER[family])

    problems = export_missing(document=document, rendered=rendered, format_name=name)

    assert len(problems) == 1, problems
    assert problems[0].startswith(f"tcp {WIDER[family]} port(s) 443 from ")
    assert problems[0].endswith("is allowed, which the rule set does not allow")


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if f.applies_sources])
def test_a_source_of_the_wrong_family_is_refused(name):
    """The family's source network is written as the other family's: the family's rules
    (IPv6 where the format carries it) then name a source they must not."""
    family = family_of(name)
    own, other = (SOURCES[1], SOURCES[0]) if family == 6 else SOURCES
    document, rendered = tampered(name, own, other)

    problems = export_missing(document=document, rendered=rendered, format_name=name)

    label = f"IPv{family}"
    assert problems, name
    assert all(
        "are not allowed" in p or "which the rule set does not allow" in p
        or p == f"the header does not say which {label} sources apply"
        for p in problems
    ), problems  # fmt: skip


@pytest.mark.parametrize(
    "name", [n for n, f in FORMATS.items() if f.applies_sources and n != "txt"]
)  # The table's rows carry no sources: its header line is what says them.
def test_rules_read_back_from_the_wrong_sources_are_reported_as_such(name):
    """With the header's statement put back, the rules themselves are read."""
    family = family_of(name)
    own, other = (SOURCES[1], SOURCES[0]) if family == 6 else SOURCES
    document, rendered = tampered(name, own, other)
    label = f"IPv{family}"
    content = rendered.content.replace(
        f"{label} source: {written(name, other)}", f"{label} source: {own}"
    )
    problems = export_missing(
        document=document, rendered=Rendered(content, rendered.omitted), format_name=name
    )
    ours = [e for e in document.entries if e.family == family]
    assert problems and all("allow" in p for p in problems), problems
    assert any(e.id in p for e in ours for p in problems)


@pytest.mark.parametrize("name", [n for n, f in FORMATS.items() if not f.applies_sources])
def test_formats_without_sources_say_so_and_name_none(name):
    document = mixed_document(source_networks=SOURCES)
    content = FORMATS[name].render(document).content
    assert "Source: not applied" in content
    assert not any(source in content for source in SOURCES)
