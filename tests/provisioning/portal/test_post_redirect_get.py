"""Every form that changes something answers its POST with a redirect (post/redirect/get),
so a reload never submits it twice; the page it leads to says what happened."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from provisioning.choices import RequestStatus
from provisioning.models import ProvisioningRequest, Region
from tests.factories import MembershipFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


def _portal_posts(customer, app):
    colleague = MembershipFactory(customer=customer)
    na = Region.objects.get(code="na")
    return [
        ("portal_api_keys", [], {"customer": customer.slug, "name": "ci", "scopes": ["read"]}),
        ("portal_team", [], {"customer": customer.slug, "email": "new@acme.test",
                             "role": "viewer"}),
        ("portal_member_remove", [colleague.pk], {}),
        ("portal_certificate_generate", [app.app_id], {}),
        ("portal_request_create", [], {"app": app.app_id, "regions": [na.pk],
                                       "concurrency": "50", "source_networks": "10.0.0.0/8"}),
    ]  # fmt: skip


def test_portal_forms_redirect_after_a_successful_post(
    member_client, customer, app, reference_data
):
    for name, args, data in _portal_posts(customer, app):
        response = member_client.post(reverse(name, args=args), data)
        assert response.status_code == 302, (name, response.content[:300])
        shown = member_client.get(response["Location"])
        assert shown.status_code == 200, name
        member_client.get(response["Location"])  # a reload of what the POST led to
    assert customer.api_keys.count() == 1
    assert Membership.objects.filter(customer=customer, user__email="new@acme.test").exists()
    assert ProvisioningRequest.objects.filter(app=app).count() == 1


def test_admin_custom_forms_redirect_after_a_successful_post(
    customer, app, reference_data, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(staff_member("ops"))
    proxy_request = request_for(app, regions=[Region.objects.get(code="na")])

    invite = client.post(
        reverse("admin:accounts_customer_invite", args=[customer.pk]),
        {"email": "it@acme.test", "role": "admin"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = client.post(
            reverse(
                "admin:provisioning_provisioningrequest_action", args=[proxy_request.pk, "reject"]
            ),
            {"reason": "Duplicate."},
        )

    assert invite.status_code == 302
    assert invite["Location"] == reverse("admin:accounts_customer_change", args=[customer.pk])
    assert action.status_code == 302 and "?task=" in action["Location"]
    proxy_request.refresh_from_db()
    assert proxy_request.status == RequestStatus.REJECTED
