import pytest
from django.test import Client

from provisioning.choices import PoolKind, RequestStatus
from provisioning.models import ProvisioningRequest, ProxyPool, Region
from tests.factories import (
    AppFactory,
    CustomerFactory,
    UserFactory,
    request_for,
    staff_member,
)
from tests.provisioning.api.helpers import api_key_header, basic_auth_header


@pytest.fixture
def staff(db):
    return staff_member("ops", username="ops")


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def overseas_request(reference_data):
    return request_for(AppFactory(), regions=[Region.objects.get(code="eu")])


class TestPools:
    def test_lists_pools_with_filters(self, staff_client, reference_data):
        everything = staff_client.get("/api/v1/pools/").json()
        test_pools = staff_client.get("/api/v1/pools/", {"kind": "test", "role": "edge"}).json()

        assert everything["count"] == ProxyPool.objects.count()
        assert [p["name"] for p in test_pools["results"]] == ["Test edge nodes"]
        assert "47.74.211.17/32" in test_pools["results"][0]["prefixes"]

    def test_detail(self, staff_client, reference_data):
        pool = ProxyPool.objects.get(name="Test domestic")

        body = staff_client.get(f"/api/v1/pools/{pool.pk}/").json()

        assert body["kind"] == PoolKind.TEST
        assert body["prefixes"] == ["150.138.153.78/32"]

    def test_bad_filter_value_is_400(self, staff_client, reference_data):
        response = staff_client.get("/api/v1/pools/", {"kind": "nope"})

        assert response.status_code == 400
        assert "kind" in response.json()["fields"]

    def test_basic_auth_works_for_staff(self, client, staff):
        response = client.get("/api/v1/pools/", **basic_auth_header("ops"))

        assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/pools/",
        "/api/v1/pools/1/",
        "/api/v1/tasks/abc/",
    ],
)
def test_staff_endpoints_refuse_customer_keys_with_403(client, db, path):
    response = client.get(path, **api_key_header(CustomerFactory()))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_staff_endpoints_refuse_non_staff_sessions(db):
    client = Client()
    client.force_login(UserFactory())

    assert client.get("/api/v1/pools/").status_code == 403


def test_action_refuses_customer_keys_with_403(client, overseas_request):
    response = client.post(
        f"/api/v1/requests/{overseas_request.pk}/approve/",
        {},
        content_type="application/json",
        **api_key_header(overseas_request.app.customer),
    )

    assert response.status_code == 403
    overseas_request.refresh_from_db()
    assert overseas_request.status == RequestStatus.SUBMITTED


class TestRequests:
    def test_staff_see_all_requests_and_filter(self, staff_client, overseas_request):
        other = request_for(AppFactory(), regions=[Region.objects.get(code="na")])
        ProvisioningRequest.objects.filter(pk=other.pk).update(status=RequestStatus.REJECTED)

        everything = staff_client.get("/api/v1/requests/").json()
        rejected = staff_client.get("/api/v1/requests/", {"status": "rejected"}).json()
        by_app = staff_client.get(
            "/api/v1/requests/", {"app_id": overseas_request.app.app_id}
        ).json()
        by_region = staff_client.get("/api/v1/requests/", {"region": "na"}).json()

        assert everything["count"] == 2
        assert [r["id"] for r in rejected["results"]] == [other.pk]
        assert [r["id"] for r in by_app["results"]] == [overseas_request.pk]
        assert [r["id"] for r in by_region["results"]] == [other.pk]

    def test_action_answers_202_and_the_task_reports_its_state(
        self, staff_client, overseas_request, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                f"/api/v1/requests/{overseas_request.pk}/allocate-test/",
                {"reason": "Trial"},
                content_type="application/json",
            )

        assert response.status_code == 202
        task_id = response.json()["task_id"]
        overseas_request.refresh_from_db()
        assert overseas_request.status == RequestStatus.TESTING
        task = staff_client.get(f"/api/v1/tasks/{task_id}/").json()
        assert task["task_id"] == task_id
        assert task["status"] == "SUCCESS"
        assert (task["state"], task["attempts"]) == ("done", 1)
        assert task["message"] == f"Request #{overseas_request.pk} is now testing."
        assert task["result"]["status"] == RequestStatus.TESTING

    def test_an_action_not_yet_on_the_task_queue_reads_as_accepted_never_queued(
        self, staff_client, overseas_request, django_capture_on_commit_callbacks
    ):
        # The task's send after commit has not happened (or failed: the broker is down).
        with django_capture_on_commit_callbacks(execute=False):
            response = staff_client.post(
                f"/api/v1/requests/{overseas_request.pk}/allocate-test/",
                {},
                content_type="application/json",
            )

        assert response.status_code == 202
        body = response.json()
        assert body["state"] == "accepted"
        assert body["message"] == "Accepted, waiting for the task queue."
        task = staff_client.get(f"/api/v1/tasks/{body['task_id']}/").json()
        assert (task["state"], task["status"]) == ("accepted", "PENDING")
        assert task["date_done"] is None

    def test_unknown_task_reads_as_pending(self, staff_client):
        body = staff_client.get("/api/v1/tasks/not-yet-started/").json()

        assert (body["status"], body["state"]) == ("PENDING", "unknown")

    def test_illegal_action_is_400_and_queues_nothing(
        self, staff_client, overseas_request, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            response = staff_client.post(
                f"/api/v1/requests/{overseas_request.pk}/suspend/",
                {},
                content_type="application/json",
            )

        assert response.status_code == 400
        assert response.json()["code"] == "illegal_transition"
        assert callbacks == []

    def test_unknown_action_and_request_are_404(self, staff_client, overseas_request):
        unknown_action = staff_client.post(f"/api/v1/requests/{overseas_request.pk}/explode/")
        unknown_request = staff_client.post("/api/v1/requests/999999/approve/")

        assert unknown_action.status_code == 404
        assert unknown_request.status_code == 404
