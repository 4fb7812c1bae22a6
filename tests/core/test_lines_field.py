"""Lists typed one per line: each refused line is a field error that names it."""

import pytest
from django import forms

from accounts.forms import SourceNetworksField
from core.forms import LinesField
from provisioning.port_lines import PortLine, port_line_parse


class NetworksForm(forms.Form):
    networks = SourceNetworksField(required=False)


class PortsForm(forms.Form):
    ports = LinesField(parse_line=port_line_parse)


def test_every_refused_line_is_named_and_the_good_ones_are_kept_canonical():
    form = NetworksForm({"networks": "10.20.0.0/16\n\nmy office\n2001:DB8::/48\n10.1.2.3/16"})

    assert not form.is_valid()
    assert form.errors["networks"] == [
        "Line 3: 'my office' is not a network in CIDR notation (only digits, a-f, ':', '.' "
        "and '/' may appear in a network). Example: 10.20.0.0/16.",
        "Line 5: '10.1.2.3/16' is not a network in CIDR notation (10.1.2.3/16 has host "
        "bits set). Example: 10.20.0.0/16.",
    ]

    good = NetworksForm({"networks": "10.20.0.0/16, 2001:DB8::/48\r\n10.20.0.0/16\n"})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["networks"] == ["10.20.0.0/16", "2001:db8::/48"]


def test_unicode_line_separators_are_refused_not_taken_as_new_lines():
    form = NetworksForm({"networks": "10.0.0.0/8\u2028add rule"})

    assert not form.is_valid()
    assert form.errors["networks"][0].startswith("Line 1: ")


def test_a_list_is_shown_one_item_per_line():
    form = NetworksForm(initial={"networks": ["10.0.0.0/8", "192.168.0.0/16"]})

    assert ">\n10.0.0.0/8\n192.168.0.0/16</textarea>" in str(form["networks"])
    assert not NetworksForm(
        {"networks": "10.0.0.0/8\n192.168.0.0/16"},
        initial={"networks": ["10.0.0.0/8", "192.168.0.0/16"]},
    ).has_changed()


@pytest.mark.parametrize(
    "line, error",
    [
        ("TCP 443", "is not a protocol, a port or range, and a purpose"),
        ("SCTP 443 media", "The protocol is one of TCP, UDP."),
        ("TCP 443 video", "The purpose is one of signalling, media, edge."),
        ("UDP 0 media", "Ports are 1-65535; 0 is out of range."),
        ("UDP 3500-3478 media", "The last port (3478) must not be before the first (3500)."),
    ],
)
def test_a_bad_port_line_says_why(line, error):
    form = PortsForm({"ports": f"TCP 443 signalling\n{line}"})

    assert not form.is_valid()
    [message] = form.errors["ports"]
    assert message.startswith("Line 2: ") and error in message


def test_port_lines_read_case_and_spacing_loosely_and_write_back_the_same():
    form = PortsForm({"ports": "tcp 443 signalling\n  UDP  3478 - 3500  Media  "})

    assert form.is_valid(), form.errors
    lines = form.cleaned_data["ports"]
    assert lines == [PortLine("tcp", 443, 443, "signalling"), PortLine("udp", 3478, 3500, "media")]
    assert [str(line) for line in lines] == ["TCP 443 signalling", "UDP 3478-3500 media"]
    assert not PortsForm({"ports": "x"}).is_valid()
