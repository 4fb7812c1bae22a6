"""The SDK endpoint over HTTP: caching, conditional requests, throttling and CORS."""

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services.app_tokens import app_token_mint
from provisioning.choices import AllocationKind
from tests.factories import AppFactory
from tests.provisioning.api.helpers import SDK_URL as URL
from tests.provisioning.api.helpers import live_set, release
from tests.provisioning.api.helpers import sdk_get as get


@pytest.fixture
def app(db):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "192.0.2.11"], edge_addresses=["198.51.100.7"])
    return app


class TestCaching:
    def test_warm_request_makes_no_query(self, client, app):
        get(client, app.app_id)

        with CaptureQueriesContext(connection) as queries:
            response = get(client, app.app_id)

        assert response.status_code == 200
        assert len(queries) == 0

    def test_warm_request_with_token_makes_no_query(self, client, app):
        app.certificate_enabled = True
        app.save()
        header = {"HTTP_AUTHORIZATION": f"Bearer {app_token_mint(app=app, ttl_seconds=600)}"}
        get(client, app.app_id, **header)

        with CaptureQueriesContext(connection) as queries:
            assert get(client, app.app_id, **header).status_code == 200

        assert len(queries) == 0

    def test_warm_request_without_proxy_service_makes_no_query(self, client, db):
        app = AppFactory()
        get(client, app.app_id)

        with CaptureQueriesContext(connection) as queries:
            assert get(client, app.app_id).json()["code"] == "no_proxy_service"

        assert len(queries) == 0

    def test_a_new_allocation_is_served_at_once(self, client, app):
        first = get(client, app.app_id).json()
        production = live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])

        second = get(client, app.app_id).json()
        release(production)
        third = get(client, app.app_id).json()

        assert second["environment"] == "production"
        assert second["version"] != first["version"]
        assert third["version"] == first["version"]
        assert third["servers"] == first["servers"]

    def test_swapping_endpoints_in_place_is_served_at_once(self, client, app):
        first, second, edge = app.requests.get().allocations.get().endpoints.order_by("pk")
        second.live = False
        second.save()
        before = get(client, app.app_id).json()

        # A resize releases one address and revives another: same count, same highest id.
        first.live, second.live = False, True
        first.save()
        second.save()
        after = get(client, app.app_id).json()

        assert {s["address"] for s in before["servers"]} == {first.address, edge.address}
        assert {s["address"] for s in after["servers"]} == {second.address, edge.address}
        assert after["version"] != before["version"]

    def test_releasing_everything_ends_the_service(self, client, app):
        get(client, app.app_id)
        for allocation in app.requests.get().allocations.all():
            release(allocation)

        assert get(client, app.app_id).json()["code"] == "no_proxy_service"

    def test_cache_loss_is_harmless(self, client, app):
        before = get(client, app.app_id).json()
        cache.clear()

        assert get(client, app.app_id).json() == before


class TestConditionalRequests:
    def test_equal_requests_in_a_bucket_give_equal_bodies_and_etags(self, client, app):
        with time_machine.travel("2026-03-01T12:00:10Z", tick=False):
            first = get(client, app.app_id)
        with time_machine.travel("2026-03-01T12:04:59Z", tick=False):
            second = get(client, app.app_id)
        with time_machine.travel("2026-03-01T12:05:01Z", tick=False):
            third = get(client, app.app_id)

        assert first.content == second.content
        assert first["ETag"] == second["ETag"]
        assert third["ETag"] != first["ETag"]
        # Browsers reuse the body a fifth of the 300 s bucket, then revalidate while the ETag
        # still holds (304), and never past the end of the bucket (12:05:00).
        assert first["Cache-Control"] == "private, max-age=60"
        assert second["Cache-Control"] == "private, max-age=1"

    def test_if_none_match_answers_304(self, client, app):
        etag = get(client, app.app_id)["ETag"]

        response = get(client, app.app_id, HTTP_IF_NONE_MATCH=etag)

        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag

    def test_304_keeps_the_caching_headers(self, client, app):
        # One instant for both requests: max-age counts down to the end of the bucket.
        with time_machine.travel("2026-03-01T12:00:30Z", tick=False):
            first = get(client, app.app_id)
            response = get(client, app.app_id, HTTP_IF_NONE_MATCH=first["ETag"])

        assert response.status_code == 304
        assert response["Cache-Control"] == first["Cache-Control"]
        assert response["Vary"] == first["Vary"]

    @pytest.mark.parametrize(
        "header",
        ["W/{etag}", '"other", {etag}', "*"],
        ids=["weak", "one-of-a-list", "any"],
    )
    def test_weak_listed_and_any_etags_match(self, client, app, header):
        etag = get(client, app.app_id)["ETag"]

        response = get(client, app.app_id, HTTP_IF_NONE_MATCH=header.format(etag=etag))

        assert response.status_code == 304

    def test_stale_etag_gets_the_body(self, client, app):
        response = get(client, app.app_id, HTTP_IF_NONE_MATCH='"stale"')

        assert response.status_code == 200

    def test_modes_have_different_etags(self, client, app):
        assert get(client, app.app_id, "udp")["ETag"] != get(client, app.app_id, "tcp")["ETag"]


class TestCors:
    def test_sdk_endpoint_is_open_to_any_origin(self, client, app):
        response = get(client, app.app_id, HTTP_ORIGIN="https://app.example.org")

        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]

    def test_preflight_allows_the_authorization_header(self, client, db):
        response = client.options(
            URL,
            HTTP_ORIGIN="https://app.example.org",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )

        assert response["Access-Control-Allow-Origin"] == "*"
        assert "authorization" in response["Access-Control-Allow-Headers"]

    def test_other_endpoints_are_not_cross_origin(self, client, db):
        response = client.get("/api/v1/apps/", HTTP_ORIGIN="https://app.example.org")

        assert "Access-Control-Allow-Origin" not in response
