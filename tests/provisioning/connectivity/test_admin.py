"""Staff see the latest connectivity report on the admin request page, and every report
read-only in "Connectivity reports"."""

import pytest
from django.urls import reverse

from provisioning.models import ProvisioningRequest
from provisioning.services.connectivity import connectivity_report_record
from tests.factories import AppFactory, staff_member
from tests.provisioning.connectivity.helpers import app_with_rules, ports

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("group", ["ops", "sales"])
def test_the_request_page_shows_the_latest_report(client, group):
    app = AppFactory()
    app_with_rules(app, {"198.51.100.4": ports(("tcp", 443), ("udp", 3478))})
    request = ProvisioningRequest.objects.get(app=app)
    client.force_login(staff_member(group))
    url = reverse("admin:provisioning_provisioningrequest_change", args=[request.pk])
    assert 'data-testid="admin-connectivity-none"' in client.get(url).content.decode()
    results = [
        {"destination": "198.51.100.4", "protocol": "tcp", "port": 443, "reachable": True},
        {"destination": "198.51.100.4", "protocol": "udp", "port": 3478, "reachable": False},
    ]
    report = connectivity_report_record(
        app=app, version=None, source="probe", results=results, source_address="203.0.113.7",
        actor=None,
    )  # fmt: skip

    html = client.get(url).content.decode()

    assert "1 of 2 blocked" in html and "203.0.113.7" in html
    assert "udp 198.51.100.4 port 3478: blocked" in html
    listing = client.get(reverse("admin:provisioning_connectivityreport_changelist"))
    assert listing.status_code == 200 and app.app_id in listing.content.decode()
    detail = client.get(reverse("admin:provisioning_connectivityreport_change", args=[report.pk]))
    assert detail.status_code == 200 and "3478" in detail.content.decode()
