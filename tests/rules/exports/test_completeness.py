from dataclasses import replace

import pytest

from provisioning.services.publishing import app_rule_set_publish
from rules.exceptions import ExportIncomplete, RuleExportFailed
from rules.exports import registry
from rules.exports.base import Rendered
from rules.exports.completeness import export_check_complete, export_missing
from rules.models import RuleExport
from rules.services.exports import rule_export_get_or_render
from tests.rules.conftest import EDGE_PORTS, allocation_with, mixed_document


def test_a_missing_destination_or_port_is_reported():
    document = mixed_document()
    content = registry.FORMATS["ip6tables"].render(document).content
    # An entry whose destination no other entry shares (an edge address: TCP 443 only).
    dropped = next(e for e in document.entries if e.destination == "2001:db8:1::7/128")
    without_destination = "\n".join(line for line in content.splitlines() if dropped.id not in line)
    problems = export_missing(document=document, rendered=Rendered(without_destination))
    assert any(dropped.destination in p and "missing" in p for p in problems)
    nftables = registry.FORMATS["nftables"].render(document).content
    without_port = nftables.replace("3478-3500", "3478-3499")
    problems = export_missing(document=document, rendered=Rendered(without_port))
    assert any("3500" in p for p in problems)


def test_a_dropped_rule_is_found_even_when_its_address_and_ports_appear_elsewhere():
    document = mixed_document()
    udp = next(e for e in document.entries if e.protocol == "udp" and e.family == 6)
    rendered = registry.FORMATS["ip6tables"].render(document)
    lines = rendered.content.splitlines()
    dropped = Rendered("\n".join(line for line in lines if udp.id not in line), rendered.omitted)
    assert export_missing(document=document, rendered=dropped) == []  # tokens
    problems = export_missing(document=document, rendered=dropped, format_name="ip6tables")
    assert problems == [f"udp {udp.destination} port(s) 3478-3500 ({udp.id}) are not allowed"]


def test_a_file_that_cannot_be_read_back_is_incomplete():
    document = mixed_document()
    content = registry.FORMATS["k8s"].render(document).content + "\n  - [unbalanced"
    with pytest.raises(ExportIncomplete, match="cannot be read back"):
        export_check_complete(document=document, rendered=Rendered(content), format_name="k8s")


def test_an_omitted_entry_must_be_listed():
    document = mixed_document()
    rendered = registry.FORMATS["iptables"].render(document)
    lines = rendered.content.splitlines()
    header_removed = "\n".join(line for line in lines if "omitted" not in line)
    with pytest.raises(ExportIncomplete, match="is not listed"):
        export_check_complete(
            document=document,
            rendered=Rendered(header_removed, rendered.omitted),
            format_name="iptables",
        )


def test_addresses_are_recognised_in_every_vendor_notation():
    document = mixed_document()
    for name, fmt in registry.FORMATS.items():
        rendered = fmt.render(document)
        assert export_missing(document=document, rendered=rendered) == [], name
        assert export_missing(document=document, rendered=rendered, format_name=name) == []


@pytest.mark.django_db
def test_an_incomplete_render_is_stored_as_a_failed_export_with_a_readable_error(app, monkeypatch):
    allocation_with(app, addresses=["192.0.2.1", "192.0.2.9"], ports=EDGE_PORTS)
    rule_set = app_rule_set_publish(app=app)
    fmt = registry.FORMATS["csv"]

    def drop_first_line(context):
        lines = fmt.renderer(context).splitlines(True)
        return "".join(lines[:1] + lines[2:])

    monkeypatch.setitem(registry.FORMATS, "csv", replace(fmt, renderer=drop_first_line))
    with pytest.raises(RuleExportFailed, match=r"csv export of version \d+ is incomplete"):
        rule_export_get_or_render(rule_set=rule_set, format_name="csv")
    failed = RuleExport.objects.get(rule_set=rule_set, format_name="csv")
    assert failed.status == "failed" and "192.0.2.1/32" in failed.error and not failed.content

    # Once the renderer is fixed, the next download renders it again.
    monkeypatch.setitem(registry.FORMATS, "csv", fmt)
    export = rule_export_get_or_render(rule_set=rule_set, format_name="csv")
    assert export.pk == failed.pk and export.status == "rendered"


@pytest.mark.django_db
def test_a_renderer_crash_becomes_a_failed_export(app, monkeypatch):
    allocation_with(app, addresses=["192.0.2.1"])
    rule_set = app_rule_set_publish(app=app)

    def crash(context):
        raise KeyError("no such template")

    monkeypatch.setitem(registry.FORMATS, "srx", replace(registry.FORMATS["srx"], renderer=crash))
    with pytest.raises(RuleExportFailed, match="srx export could not be rendered"):
        rule_export_get_or_render(rule_set=rule_set, format_name="srx")
