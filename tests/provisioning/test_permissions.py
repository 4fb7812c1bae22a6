"""Sales triage requests; only ops hand out, pause or take back addresses."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from provisioning.choices import RequestStatus
from provisioning.models import Allocation, Region
from provisioning.services.actions import request_action_enqueue
from tests.factories import request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(reference_data):
    return request_for(regions=[Region.objects.get(code="eu")])


@pytest.mark.parametrize("action", ["allocate-test", "approve", "suspend", "resume", "revoke"])
def test_sales_may_not_take_actions_that_move_addresses(submitted, action):
    with pytest.raises(PermissionDenied) as excinfo:
        request_action_enqueue(request=submitted, action=action, actor=staff_member("sales"))

    assert "ops staff" in str(excinfo.value)
    assert not Allocation.objects.exists()


def test_sales_may_reject_and_ops_may_allocate(submitted, django_capture_on_commit_callbacks):
    ops = staff_member("ops")
    with django_capture_on_commit_callbacks(execute=True):
        request_action_enqueue(request=submitted, action="allocate-test", actor=ops)
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.TESTING

    with django_capture_on_commit_callbacks(execute=True):
        request_action_enqueue(request=submitted, action="reject", actor=staff_member("sales"))
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REJECTED


def test_admin_offers_sales_only_what_sales_may_do_and_refuses_the_rest(submitted):
    client = Client()
    client.force_login(staff_member("sales"))
    change_url = reverse("admin:provisioning_provisioningrequest_change", args=[submitted.pk])

    page = client.get(change_url).content.decode()
    response = client.post(
        reverse("admin:provisioning_provisioningrequest_action", args=[submitted.pk, "approve"])
    )

    assert "Reject</button>" in page and "Approve production</button>" not in page
    assert response.status_code == 302
    assert any("ops staff" in str(m) for m in get_messages(response.wsgi_request))
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_staff_api_refuses_sales_with_403_and_queues_nothing(submitted):
    client = Client()
    client.force_login(staff_member("sales"))

    response = client.post(f"/api/v1/requests/{submitted.pk}/approve/", {}, "application/json")

    assert response.status_code == 403
    assert "ops staff" in response.json()["message"]
    assert not Allocation.objects.exists()
