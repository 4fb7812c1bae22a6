"""The SDK endpoint over HTTP: caching, conditional requests, throttling and CORS."""

import os
import time
import uuid

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import AppStatus
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
    def test_warm_request_makes_one_query(self, client, app):
        get(client, app.app_id)

        with CaptureQueriesContext(connection) as queries:
            response = get(client, app.app_id)

        assert response.status_code == 200
        # The app row with its live-set fingerprint; nothing else (rows are not reused here).
        assert len(queries) == 1

    def test_warm_request_with_token_makes_one_query(self, client, app):
        app.certificate_enabled = True
        app.save()
        header = {"HTTP_AUTHORIZATION": f"Bearer {app_token_mint(app=app, ttl_seconds=600)}"}
        get(client, app.app_id, **header)

        with CaptureQueriesContext(connection) as queries:
            assert get(client, app.app_id, **header).status_code == 200

        assert len(queries) == 1

    def test_warm_request_without_proxy_service_makes_one_query(self, client, db):
        app = AppFactory()
        get(client, app.app_id)

        with CaptureQueriesContext(connection) as queries:
            assert get(client, app.app_id).json()["code"] == "no_proxy_service"

        assert len(queries) == 1

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


class TestThrottling:
    def test_per_ip_limit_answers_429_with_retry_after(self, client, app, settings):
        rates = {"sdk_app": "1000/minute", "sdk_ip": "3/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        other = AppFactory()

        statuses = [get(client, app.app_id).status_code for _ in range(3)]
        response = get(client, other.app_id)

        assert statuses == [200, 200, 200]
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert 1 <= int(response["Retry-After"]) <= 60
        seconds = response["Retry-After"]
        assert response.json()["message"] == f"Too many requests; try again in {seconds} seconds."

    def test_forged_forwarded_for_does_not_dodge_the_ip_limit(self, client, app, settings):
        rates = {"sdk_app": "1000/minute", "sdk_ip": "2/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

        statuses = [
            get(client, app.app_id, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
            for n in range(3)
        ]

        assert statuses == [200, 200, 429]

    def test_per_app_limit_counts_across_addresses(self, client, app, settings):
        rates = {"sdk_app": "2/minute", "sdk_ip": "1000/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

        get(client, app.app_id, REMOTE_ADDR="127.0.0.2")
        get(client, app.app_id, REMOTE_ADDR="127.0.0.3")
        throttled = get(client, app.app_id, REMOTE_ADDR="127.0.0.4")
        other_app = get(client, AppFactory().app_id, REMOTE_ADDR="127.0.0.4")

        assert throttled.status_code == 429
        assert other_app.status_code == 404


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


class TestRecentAppRows:
    """With SDK_APP_CACHE_SECONDS, a process reuses an app's row for that long."""

    def test_reused_rows_cost_no_query_and_changes_show_after_the_delay(
        self, client, app, settings, monkeypatch
    ):
        settings.SDK_APP_CACHE_SECONDS = 2
        clock = [1000.0]
        monkeypatch.setattr("provisioning.sdk.memo.time.monotonic", lambda: clock[0])
        assert get(client, app.app_id).status_code == 200
        type(app).objects.filter(pk=app.pk).update(status=AppStatus.DISABLED)

        with CaptureQueriesContext(connection) as queries:
            within = get(client, app.app_id)
        clock[0] += 2.5
        after = get(client, app.app_id)

        assert len(queries) == 0
        assert within.status_code == 200
        assert after.status_code == 403


class TestThrottlingOnRedis:
    """With a Redis cache, the counts are shared by every process (sent in batches)."""

    @pytest.fixture
    def redis_cache(self, settings):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/2"),
                "KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex}",
            }
        }
        rates = {"sdk_app": "2/minute", "sdk_ip": "1000/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        return caches["default"]

    def test_one_process_never_exceeds_the_limit(self, client, app, redis_cache):
        statuses = [get(client, app.app_id).status_code for _ in range(3)]

        assert statuses == [200, 200, 429]

    @time_machine.travel("2026-03-01T12:00:30Z", tick=False)
    def test_counts_of_other_processes_are_honoured(self, client, app, redis_cache):
        window = int(time.time() // 60)
        # Another web process already let two requests of this app through.
        redis_cache.set(f"throttle:sdk_app:{app.app_id}:{window}", 2, 61)

        response = get(client, app.app_id)

        assert response.status_code == 429
