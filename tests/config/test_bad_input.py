"""Bad input is the caller's mistake: 400, 401 or 404, never a server error.

Under /api/ the answer is the JSON error shape; elsewhere it is a page. The sweep calls
every URL pattern with NUL in each path parameter; PostgreSQL is where NUL used to fail.
"""

import base64
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from accounts.services.api_keys import api_key_create
from tests.factories import (
    AppFactory,
    CustomerFactory,
    MembershipFactory,
    RegionFactory,
    StaffUserFactory,
    request_for,
    staff_member,
)

pytestmark = pytest.mark.django_db
CLIENT_ERRORS = {400, 401, 403, 404, 405}
PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)")


@pytest.fixture
def world(reference_data):
    customer = CustomerFactory()
    app = AppFactory(customer=customer)
    _, raw_key = api_key_create(customer=customer, name="k", scopes=["read", "rules", "requests"])
    return {
        "app": app,
        "request": request_for(app, regions=[RegionFactory(code="eu")]),
        "member": MembershipFactory(customer=customer).user,
        "ops": staff_member("ops"),
        "key": {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"},
    }


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _assert_client_error(response, path: str):
    assert response.status_code in CLIENT_ERRORS, (path, response.status_code)
    if path.startswith("/api/"):
        assert set(response.json()) >= {"code", "message"}, path
    else:
        assert response["Content-Type"].startswith("text/html"), path


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_url_refuses_nul_in_its_parameters(world):
    paths = set()
    for route in _routes():
        if PARAMETER.search(route):
            path = "/" + re.sub(r"[\^$\\]", "", PARAMETER.sub("a%00b", route))
            paths.add(path.replace("?", ""))
    assert "/api/v1/apps/a%00b/" in paths and "/apps/a%00b/" in paths
    # The refusal comes before authentication, so one caller of each kind is enough.
    client = _client(world["ops"])
    for path in sorted(paths):
        for method, extra in ((client.get, {}), (client.post, world["key"])):
            response = method(path, **extra)
            assert response.status_code == 400, (path, response.status_code)
            _assert_client_error(response, path.replace("%00", "\x00"))


@pytest.mark.parametrize(
    "path",
    ["/api/v1/apps/%00/", "/api/v1/apps/%00/rules/latest/", "/api/v1/tasks/%00/", "/apps/%00/"],
)
def test_nul_in_an_app_id_or_task_id_is_400(world, path):
    response = _client(world["member"]).get(path)

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["code"] == "bad_request"
    else:
        assert b"That request didn" in response.content


@pytest.mark.parametrize(
    "credentials", [b"a\x00b:c", b"admin:pass\x00word", b"\x00:\x00", b"\xff\x00:x"]
)
def test_nul_in_basic_credentials_is_401(world, credentials):
    header = "Basic " + base64.b64encode(credentials).decode()

    for path in ("/api/v1/apps/", "/api/v1/pools/", "/api/v1/requests/"):
        response = _client().get(path, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, path
        assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("header", ["Api-Key a\x00b", "Bearer \x00", "\x00"])
def test_nul_in_a_header_is_400(world, header):
    response = _client().get("/api/v1/apps/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    "query", ["status=%00", "q=%00", "task=%00", "created_at__gte=%00", "%00=1"]
)
def test_nul_in_a_query_parameter_is_400(world, query):
    pk = world["request"].pk
    for path in (
        "/api/v1/requests/",
        "/admin/provisioning/provisioningrequest/",
        f"/admin/provisioning/provisioningrequest/{pk}/change/",
        "/admin/accounts/customer/",
        "/",
    ):
        response = _client(world["ops"]).get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        _assert_client_error(response, path)


def test_nul_in_request_fields_is_a_field_error(world):
    app_id = world["app"].app_id
    bodies = [
        {"app_id": app_id, "regions": ["\x00"], "concurrency": 5},
        {"app_id": app_id, "regions": ["eu\x00"], "isps": ["x\x00"], "concurrency": 5},
        {"app_id": app_id, "regions": ["eu"], "concurrency": 5, "notes": "a\x00b"},
        {"app_id": "a\x00b", "regions": ["eu"], "concurrency": 5},
    ]
    for body in bodies:
        response = _client().post(
            "/api/v1/requests/", body, content_type="application/json", **world["key"]
        )
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"
        assert response.json()["fields"], body


def test_nul_in_portal_form_fields_is_400(world):
    client = _client(world["member"])
    for path, data in (
        ("/requests/new/", {"app": world["app"].pk, "regions": ["eu"], "notes": "x\x00"}),
        ("/api-keys/", {"name": "a\x00b", "scopes": ["read"]}),
        ("/accounts/login/", {"username": "a\x00", "password": "b"}),
    ):
        response = client.post(path, data)
        assert response.status_code == 400, path
        _assert_client_error(response, path)


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01T00:00:00+16:00",
        "2024-01-01T00:00:00-23:59",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-10:00",
    ],
)
def test_an_offset_postgresql_cannot_hold_is_taken_in_utc_or_refused(world, value):
    client = _client(world["ops"])

    for name in ("created_after", "created_before"):
        response = client.get("/api/v1/requests/", {name: value})
        assert response.status_code in {200, 400}, (name, value, response.status_code)
        if response.status_code == 400:
            assert name in response.json()["fields"]


def test_a_far_offset_still_filters_correctly(world):
    client = _client(world["ops"])
    created = world["request"].created_at

    after = client.get("/api/v1/requests/", {"created_after": "2000-01-01T00:00:00+16:00"})
    before = client.get("/api/v1/requests/", {"created_before": "2000-01-01T00:00:00+16:00"})

    assert [row["id"] for row in after.json()["results"]] == [world["request"].pk]
    assert before.json()["results"] == []
    assert created.year > 2000


def test_bad_task_ids_on_the_admin_request_page(world):
    client = _client(world["ops"])
    url = f"/admin/provisioning/provisioningrequest/{world['request'].pk}/change/"

    for task in ("a/b", "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = client.get(url, {"task": task})
        assert response.status_code == 200, task
        assert b"No action was queued with this task id" in response.content
        assert b"Waiting for a worker" not in response.content


def test_task_results_are_not_added_by_hand(world):
    superuser = StaffUserFactory(is_superuser=True)
    client = _client(superuser)

    for _ in range(2):
        response = client.post("/admin/django_celery_results/taskresult/add/")
        assert response.status_code == 403
