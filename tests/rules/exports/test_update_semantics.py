"""Version N, then N+1, applied to a model of each vendor's configuration store that
already holds the customer's own objects: what is allowed afterwards is exactly N+1's,
the customer's objects are untouched, and applying N+1 again changes nothing."""

import copy
from dataclasses import replace

import pytest

from rules.aggregation import entries_aggregate
from rules.document import content_sha256
from rules.exports.deltas import REPLACING, delta_render
from rules.exports.readback import READERS
from rules.exports.readback_vendors import flattened
from rules.exports.registry import FORMATS
from tests.rules.conftest import (
    APP_ID,
    EDGE_PORTS,
    MIXED_ENDPOINTS,
    STANDARD_PORTS,
    mixed_document,
    sources_of,
)
from tests.rules.exports import vendor_models as models

TAG = "pp-0123456789ab"
NEXT_ENDPOINTS = [
    *MIXED_ENDPOINTS[1:4],  # 150.138.153.78 and 198.51.100.9 and 2001:db8::11 go
    ("production", "2001:db8::10", STANDARD_PORTS),
    ("production", "203.0.113.50", EDGE_PORTS),  # new
    ("test", "2001:db8:2::1", STANDARD_PORTS),  # new
    ("production", "198.51.100.4", EDGE_PORTS),  # now also edge
]


def versions():
    old = mixed_document(source_networks=("10.0.0.0/8", "fd00::/8"))
    entries = entries_aggregate(NEXT_ENDPOINTS)
    sources = ("10.1.0.0/16",)
    new = replace(
        old, version="2026112201", entries=entries, source_networks=sources,
        sha256=content_sha256(app_id=APP_ID, source_networks=sources, entries=entries),
    )  # fmt: skip
    return old, new


def allowed_of(document, name):
    """Return what the store must allow: each entry's ports from its family's sources."""
    fmt = FORMATS[name]
    return {
        (e.protocol, e.destination, a, b, sources_of(fmt, document.source_networks, e.family))
        for e in document.entries
        if e.family in fmt.families
        for a, b in e.ports
    }


CUSTOMER_SRX = [
    "set security address-book global address mail 192.0.2.25/32",
    "set groups corp security policies from-zone trust to-zone untrust policy web then permit",
]
CUSTOMER_ASA = ["access-list OUTSIDE extended permit tcp any host 192.0.2.25 eq 25"]
CUSTOMER_FORTI = """config firewall address
    edit "mail"
        set subnet 192.0.2.25 255.255.255.255
    next
end
config firewall policy
    edit 7
        set name "mail-out"
        set dstaddr "mail"
    next
end
"""
CUSTOMER_PANOS = """<config><devices><entry name="localhost.localdomain"><vsys>
<entry name="vsys1"><address><entry name="mail"><ip-netmask>192.0.2.25/32</ip-netmask>
</entry></address><address-group /><service /><rulebase><security><rules>
<entry name="mail-out"><action>allow</action></entry></rules></security></rulebase>
</entry></vsys></entry></devices></config>"""
CUSTOMER_WINDOWS = {"Mail": ("Corp", "New-NetFirewallRule -Name 'Mail' -Group Corp")}
CUSTOMER_GCE = {"allow-mail": "gcloud compute firewall-rules create allow-mail"}


def store_of(name):
    return {
        "srx": lambda: models.SrxStore(CUSTOMER_SRX),
        "ciscoasa": lambda: models.AsaStore(CUSTOMER_ASA),
        "fortigate": lambda: models.FortiStore(CUSTOMER_FORTI),
        "paloalto": lambda: models.PanosStore(CUSTOMER_PANOS),
        "windows": lambda: models.WindowsStore(CUSTOMER_WINDOWS),
        "gce": lambda: models.GceStore(CUSTOMER_GCE),
        "aws": lambda: models.AwsStore({("tcp", 25, 25, "pl-corp-mail")}),
    }[name]()


def apply(store, name, content):
    if name == "aws":
        store.apply(content, TAG)
    else:
        store.apply(content)


def our_text(store, name):
    return store.text(TAG) if name == "ciscoasa" else store.text()


def customer_intact(store, name):
    checks = {
        "srx": lambda: all(line in store.lines for line in CUSTOMER_SRX),
        "ciscoasa": lambda: store.acls["OUTSIDE"] == CUSTOMER_ASA,
        "fortigate": lambda: (
            store.tables["firewall address"]["mail"]
            == {"subnet": ["192.0.2.25", "255.255.255.255"]}
            and store.tables["firewall policy"]["7"] == {"name": ["mail-out"], "dstaddr": ["mail"]}
        ),
        "paloalto": lambda: (
            store.root.find(".//address/entry[@name='mail']") is not None
            and store.root.find(".//rules/entry[@name='mail-out']") is not None
        ),
        "windows": lambda: store.rules["Mail"] == CUSTOMER_WINDOWS["Mail"],
        "gce": lambda: store.rules["allow-mail"] == CUSTOMER_GCE["allow-mail"],
        "aws": lambda: ("tcp", 25, 25, "pl-corp-mail") in store.rules,
    }
    return checks[name]()


VENDORS = ["srx", "ciscoasa", "fortigate", "paloalto", "windows", "gce", "aws"]


@pytest.mark.parametrize("name", VENDORS)
def test_n_then_n_plus_1_allows_exactly_n_plus_1_and_keeps_the_customers_objects(name):
    old, new = versions()
    store = store_of(name)
    apply(store, name, FORMATS[name].render(old).content)
    assert flattened(READERS[name](our_text(store, name))) >= allowed_of(old, name)
    apply(store, name, FORMATS[name].render(new).content)

    assert flattened(READERS[name](our_text(store, name))) == allowed_of(new, name)
    assert customer_intact(store, name)
    before = copy.deepcopy(store.__dict__)
    apply(store, name, FORMATS[name].render(new).content)
    assert _comparable(store.__dict__) == _comparable(before)


@pytest.mark.parametrize("name", [v for v in VENDORS if v != "paloalto"])
def test_the_delta_from_n_moves_the_store_to_exactly_n_plus_1(name):
    old, new = versions()
    store = store_of(name)
    apply(store, name, FORMATS[name].render(old).content)
    delta = delta_render(old=old, new=new, format_name=name)
    assert delta.incremental
    apply(store, name, delta.content)
    assert flattened(READERS[name](our_text(store, name))) == allowed_of(new, name)
    assert customer_intact(store, name)


def _comparable(state):
    return {k: (v if not hasattr(v, "tag") else models.ET.tostring(v)) for k, v in state.items()}


def test_paloalto_says_it_has_no_incremental_commands():
    old, new = versions()
    delta = delta_render(old=old, new=new, format_name="paloalto")
    assert not delta.incremental and "no incremental commands" in delta.content


def test_asa_sources_are_one_object_group_per_family_replaced_exactly():
    old, new = versions()
    store = store_of("ciscoasa")
    apply(store, "ciscoasa", FORMATS["ciscoasa"].render(old).content)
    assert store.groups == {f"{TAG}-src4": ["10.0.0.0 255.0.0.0"], f"{TAG}-src6": ["fd00::/8"]}
    apply(store, "ciscoasa", FORMATS["ciscoasa"].render(new).content)
    assert store.groups == {f"{TAG}-src4": ["10.1.0.0 255.255.0.0"]}
    permits = [ace.split() for ace in store.acls[TAG] if " permit " in ace]
    for words in permits:
        source = words[5:7] if words[5] == "object-group" else words[5:6]
        destination = words[5 + len(source) :]
        ipv6 = ":" in (destination[1] if destination[0] == "host" else destination[0])
        # IPv6 entries name no IPv4 source: version N+1 has IPv6 sources "any".
        assert source == (["any"] if ipv6 else ["object-group", f"{TAG}-src4"])
    # One entry per destination and port range, whatever the number of sources.
    assert len(permits) == sum(len(e.ports) for e in new.entries)


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_delta_given_the_stored_file_is_the_delta_rendered_afresh(name):
    old, new = versions()
    stored = FORMATS[name].render(replace(new)).content
    calls = []

    def new_file():
        calls.append(name)
        return stored

    given = delta_render(old=replace(old), new=replace(new), format_name=name, new_file=new_file)
    assert given == delta_render(old=old, new=new, format_name=name)
    # Only the formats that read the new version's file ask for it.
    assert bool(calls) == (name in ("nftables", *REPLACING))


def test_an_nftables_delta_ignores_a_stored_file_that_names_other_sets():
    old, new = versions()
    stored = FORMATS["nftables"].render(new).content.replace("_dst", "_dest")
    given = delta_render(old=old, new=new, format_name="nftables", new_file=lambda: stored)
    assert given == delta_render(old=replace(old), new=replace(new), format_name="nftables")
