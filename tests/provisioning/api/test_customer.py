import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.choices import MembershipRole
from accounts.services.api_keys import api_key_create, api_key_revoke
from provisioning.choices import RequestStatus
from provisioning.models import ProvisioningRequest
from tests.factories import (
    AppFactory,
    CustomerFactory,
    IspFactory,
    MembershipFactory,
    RegionFactory,
    request_for,
)
from tests.provisioning.api.helpers import api_key_header, live_set


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def app(customer):
    return AppFactory(customer=customer, name="Video")


@pytest.fixture
def regions(db):
    return RegionFactory(code="eu", name="Europe"), RegionFactory(code="cn-east", domestic=True)


class TestApps:
    def test_lists_own_apps_paginated(self, client, customer, app):
        AppFactory()  # another customer's

        response = client.get("/api/v1/apps/", **api_key_header(customer))

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        assert body["results"][0]["app_id"] == app.app_id
        assert body["results"][0]["customer"] == customer.slug
        assert "certificate" not in body["results"][0]

    def test_detail_shows_environment_and_open_request(self, client, customer, app):
        live_set(app)

        body = client.get(f"/api/v1/apps/{app.app_id}/", **api_key_header(customer)).json()

        assert body["environment"] == "test"
        assert body["open_request"] == app.requests.get().pk

    def test_portal_member_session_sees_own_apps(self, customer, app):
        membership = MembershipFactory(customer=customer, role=MembershipRole.VIEWER)
        client = Client()
        client.force_login(membership.user)

        body = client.get("/api/v1/apps/").json()

        assert [a["app_id"] for a in body["results"]] == [app.app_id]


class TestRequests:
    def test_submit_with_requests_scope(self, client, customer, app, regions):
        eu, cn = regions
        telecom = IspFactory(code="telecom")

        response = client.post(
            "/api/v1/requests/",
            {
                "app_id": app.app_id,
                "regions": ["eu", "cn-east"],
                "isps": ["telecom"],
                "concurrency": 2000,
                "notes": "Peak at 9am",
            },
            content_type="application/json",
            **api_key_header(customer, scopes=["requests", "read"]),
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == RequestStatus.SUBMITTED
        assert sorted(body["regions"]) == ["cn-east", "eu"]
        assert body["isps"] == ["telecom"]
        assert body["events"][0]["to_status"] == "submitted"
        request = ProvisioningRequest.objects.get(pk=body["id"])
        assert set(request.regions.all()) == {eu, cn}
        assert list(request.isps.all()) == [telecom]

    def test_submit_needs_the_requests_scope(self, client, customer, app, regions):
        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["eu"], "concurrency": 10},
            content_type="application/json",
            **api_key_header(customer, scopes=["read"]),
        )

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_invalid_input_is_field_keyed(self, client, customer, app, regions):
        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["atlantis"], "concurrency": 0},
            content_type="application/json",
            **api_key_header(customer),
        )

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert set(body["fields"]) == {"regions", "concurrency"}

    def test_service_errors_are_field_keyed(self, client, customer, app, regions):
        request_for(app, regions=[regions[0]])

        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["eu"], "concurrency": 10},
            content_type="application/json",
            **api_key_header(customer),
        )

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert "already has an open request" in body["fields"]["app"][0]

    def test_isps_outside_domestic_regions_are_refused(self, client, customer, app, regions):
        IspFactory(code="telecom")

        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["eu"], "isps": ["telecom"], "concurrency": 10},
            content_type="application/json",
            **api_key_header(customer),
        )

        assert response.status_code == 400
        assert "isps" in response.json()["fields"]
        assert not ProvisioningRequest.objects.exists()

    def test_viewer_session_may_not_submit(self, customer, app, regions):
        membership = MembershipFactory(customer=customer, role=MembershipRole.VIEWER)
        client = Client()
        client.force_login(membership.user)

        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["eu"], "concurrency": 10},
            content_type="application/json",
        )

        assert response.status_code == 403

    def test_admin_session_submits_as_itself(self, customer, app, regions):
        membership = MembershipFactory(customer=customer, role=MembershipRole.ADMIN)
        client = Client()
        client.force_login(membership.user)

        response = client.post(
            "/api/v1/requests/",
            {"app_id": app.app_id, "regions": ["eu"], "concurrency": 10},
            content_type="application/json",
        )

        assert response.status_code == 201
        assert ProvisioningRequest.objects.get().created_by == membership.user

    def test_detail_and_list(self, client, customer, app, regions):
        request = request_for(app, regions=[regions[0]])
        headers = api_key_header(customer, scopes=["read"])

        detail = client.get(f"/api/v1/requests/{request.pk}/", **headers).json()
        listing = client.get("/api/v1/requests/", **headers).json()

        assert detail["id"] == request.pk
        assert detail["app_id"] == app.app_id
        assert [r["id"] for r in listing["results"]] == [request.pk]


class TestApiKeys:
    def test_no_credentials_is_401(self, client, db):
        response = client.get("/api/v1/apps/")

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Api-Key"

    def test_revoked_key_is_401(self, client, customer):
        api_key, raw_key = api_key_create(customer=customer, name="x", scopes=["read"])
        api_key_revoke(api_key=api_key)

        response = client.get("/api/v1/apps/", HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

        assert response.status_code == 401
        assert response.json()["code"] == "api_key_revoked"

    def test_expired_key_is_401(self, client, customer):
        expires = timezone.now() + datetime.timedelta(minutes=5)
        _, raw_key = api_key_create(
            customer=customer, name="x", scopes=["read"], expires_at=expires
        )

        with time_machine.travel(expires + datetime.timedelta(seconds=1)):
            response = client.get("/api/v1/apps/", HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

        assert response.status_code == 401
        assert response.json()["code"] == "api_key_expired"

    def test_use_is_recorded(self, client, customer):
        api_key, raw_key = api_key_create(customer=customer, name="x", scopes=["read"])

        client.get("/api/v1/apps/", HTTP_AUTHORIZATION=f"Api-Key {raw_key}")

        api_key.refresh_from_db()
        assert api_key.last_used_at is not None

    def test_rules_scope_alone_cannot_read_apps(self, client, customer):
        response = client.get("/api/v1/apps/", **api_key_header(customer, scopes=["rules"]))

        assert response.status_code == 403
