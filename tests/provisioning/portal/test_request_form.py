"""The request form: inline field errors, nothing saved when invalid, a request when valid."""

import pytest
from django.urls import reverse

from provisioning.choices import RequestStatus
from provisioning.models import Isp, ProvisioningRequest, Region

pytestmark = pytest.mark.django_db

URL = reverse("portal_request_create")


@pytest.fixture
def regions(reference_data):
    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def isps(reference_data):
    return {i.code: i for i in Isp.objects.all()}


def _errors(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_empty_form_shows_an_error_by_each_required_field(member_client, app, reference_data):
    response = member_client.post(URL, {})
    assert response.status_code == 400
    errors = _errors(response)
    assert errors["app"] == ["This field is required."]
    assert errors["regions"] == ["Choose at least one region."]
    assert errors["concurrency"] == ["Enter the peak number of concurrent users."]
    html = response.content.decode()
    assert 'id="id_regions_error"' in html
    assert "Please correct the errors below." in html
    assert not ProvisioningRequest.objects.exists()


@pytest.mark.parametrize(
    "concurrency, message",
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("10000001", "Ensure this value is less than or equal to 10000000."),
        ("lots", "Enter a whole number."),
    ],
)
def test_concurrency_out_of_range_is_refused(member_client, app, regions, concurrency, message):
    response = member_client.post(
        URL, {"app": app.app_id, "regions": [regions["na"].pk], "concurrency": concurrency}
    )
    assert _errors(response) == {"concurrency": [message]}
    assert not ProvisioningRequest.objects.exists()


def test_isps_for_overseas_regions_only_are_refused(member_client, app, regions, isps):
    response = member_client.post(
        URL,
        {
            "app": app.app_id,
            "regions": [regions["na"].pk],
            "isps": [isps["telecom"].pk],
            "concurrency": "100",
        },
    )
    assert list(_errors(response)) == ["isps"]
    assert "domestic (China mainland) regions only" in _errors(response)["isps"][0]
    assert not ProvisioningRequest.objects.exists()


def test_malformed_source_network_is_named(member_client, app, regions):
    response = member_client.post(
        URL,
        {
            "app": app.app_id,
            "regions": [regions["na"].pk],
            "concurrency": "100",
            "source_networks": "10.0.0.0/8\n10.1.2.3/16",
        },
    )
    [message] = _errors(response)["source_networks"]
    assert "'10.1.2.3/16' is not a network in CIDR notation" in message
    assert not ProvisioningRequest.objects.exists()
    app.refresh_from_db()
    assert app.source_networks == []


def test_second_open_request_for_an_app_is_refused_on_the_app_field(member_client, app, regions):
    data = {"app": app.app_id, "regions": [regions["na"].pk], "concurrency": "100"}
    assert member_client.post(URL, data).status_code == 302
    response = member_client.post(URL, data)
    assert response.status_code == 400
    assert "already has an open request" in _errors(response)["app"][0]
    assert ProvisioningRequest.objects.count() == 1


def test_valid_request_is_submitted_with_its_networks(member, member_client, app, regions, isps):
    response = member_client.post(
        URL,
        {
            "app": app.app_id,
            "regions": [regions["cn-east"].pk, regions["na"].pk],
            "isps": [isps["telecom"].pk, isps["unicom"].pk],
            "concurrency": "1500",
            "source_networks": "10.20.0.0/16, 2001:db8:42::/48",
            "notes": "Branches in Shanghai and New York.",
        },
    )
    created = ProvisioningRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_request_detail", args=[created.pk])
    assert created.status == RequestStatus.SUBMITTED
    assert created.created_by == member
    assert created.concurrency == 1500
    assert {r.code for r in created.regions.all()} == {"cn-east", "na"}
    assert {i.code for i in created.isps.all()} == {"telecom", "unicom"}
    app.refresh_from_db()
    assert app.source_networks == ["10.20.0.0/16", "2001:db8:42::/48"]
    page = member_client.get(response["Location"]).content.decode()
    assert f"Request #{created.pk} submitted." in page
    assert "Submitted" in page


def test_app_is_preselected_from_the_query_string(member_client, app, reference_data):
    response = member_client.get(URL, {"app": app.app_id})
    assert response.context["form"]["app"].value() == app.app_id
