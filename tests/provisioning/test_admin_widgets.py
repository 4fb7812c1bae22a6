"""Ports and source networks in the admin: typed one per line, each line checked."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from provisioning.models import PortProfile
from tests.factories import AppFactory, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client():
    client = Client()
    client.force_login(staff_member("ops"))
    return client


def _profile_post(client, profile, ports):
    url = reverse("admin:provisioning_portprofile_change", args=[profile.pk])
    data = {"code": profile.code, "name": profile.name, "description": "", "ports": ports}
    return client.post(url, data)


def test_the_port_profile_shows_its_ports_one_per_line(ops_client, reference_data):
    profile = PortProfile.objects.get(code="standard")

    page = ops_client.get(reverse("admin:provisioning_portprofile_change", args=[profile.pk]))

    textarea = page.content.decode().split('name="ports"', 1)[1].split("</textarea>", 1)[0]
    assert "TCP 443 signalling\nTCP 3433-3460 media\nTCP 4000 signalling\nUDP 3478-3500 media" in (
        textarea
    )
    assert 'name="ranges-TOTAL_FORMS"' not in page.content.decode()


def test_a_bad_port_line_is_a_field_error_naming_it_and_changes_nothing(ops_client, reference_data):
    profile = PortProfile.objects.get(code="standard")
    before = list(profile.ranges.values_list("protocol", "port_start", "port_end"))

    response = _profile_post(ops_client, profile, "TCP 443 signalling\nTCP 99999 media")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["ports"]
    assert errors == ["Line 2: Ports are 1-65535; 99999 is out of range."]
    assert list(profile.ranges.values_list("protocol", "port_start", "port_end")) == before


def test_saving_ports_replaces_the_ranges_and_is_on_the_record(ops_client, reference_data):
    profile = PortProfile.objects.get(code="edge")

    response = _profile_post(ops_client, profile, "TCP 443 edge\nUDP 3478 - 3479 media\n")

    assert response.status_code == 302
    assert sorted(profile.ranges.values_list("protocol", "port_start", "port_end", "purpose")) == [
        ("tcp", 443, 443, "edge"),
        ("udp", 3478, 3479, "media"),
    ]
    assert LogEntry.objects.filter(
        object_id=str(profile.pk), change_message__contains="UDP 3478-3479 media"
    ).exists()


def test_the_app_admin_takes_source_networks_one_per_line(ops_client):
    app = AppFactory(source_networks=["10.0.0.0/8"])
    url = reverse("admin:accounts_app_change", args=[app.pk])
    base = {"customer": app.customer.pk, "name": app.name, "status": app.status}

    page = ops_client.get(url).content.decode()
    refused = ops_client.post(url, {**base, "source_networks": "10.20.0.0/16\nmy office"})
    saved = ops_client.post(url, {**base, "source_networks": "10.20.0.0/16\n2001:DB8::/48"})

    assert "10.0.0.0/8</textarea>" in page
    for field in ("name", "status", "certificate_enabled"):  # the rest of the form is there
        assert f'name="{field}"' in page, field
    [error] = refused.context["adminform"].form.errors["source_networks"]
    assert error.startswith("Line 2: 'my office' is not a network in CIDR notation")
    assert saved.status_code == 302
    app.refresh_from_db()
    assert app.source_networks == ["10.20.0.0/16", "2001:db8::/48"]
