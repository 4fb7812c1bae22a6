from django.test import Client

from provisioning.api.views.customer import AppListView
from provisioning.exceptions import SdkConfigError
from tests.factories import CustomerFactory
from tests.provisioning.api.helpers import api_key_header


def test_unknown_api_path_is_404_in_the_error_shape(client, db):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No API endpoint at this path."}


def test_wrong_method_is_405_in_the_error_shape(client, db):
    response = client.delete("/api/v1/apps/", **api_key_header(CustomerFactory()))

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unexpected_error_is_500_in_the_error_shape(db, monkeypatch):
    def explode(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(AppListView, "get_queryset", explode)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/apps/", **api_key_header(CustomerFactory()))

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_bad_json_is_400(client, db):
    response = client.post(
        "/api/v1/requests/",
        "{not json",
        content_type="application/json",
        **api_key_header(CustomerFactory()),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_post_to_an_unknown_path_is_404_not_a_csrf_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/requests/-1/approve/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_sdk_errors_raised_under_drf_get_the_status_of_their_code(db, monkeypatch):
    def refuse(self):
        raise SdkConfigError("app_disabled", "This app is disabled.")

    monkeypatch.setattr(AppListView, "get_queryset", refuse)

    response = Client().get("/api/v1/apps/", **api_key_header(CustomerFactory()))

    assert response.status_code == 403
    assert response.json() == {"code": "app_disabled", "message": "This app is disabled."}


def test_a_body_in_an_unlisted_media_type_is_415_in_the_error_shape(client, db):
    for content_type in ("text/plain", "", "application/xml"):
        response = client.generic(
            "POST",
            "/api/v1/requests/",
            b"app_id=x",
            content_type=content_type,
            **api_key_header(CustomerFactory()),
        )

        assert response.status_code == 415, content_type
        assert response.json()["code"] == "unsupported_media_type", content_type
