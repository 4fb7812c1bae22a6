"""The SDK endpoint's throttles: failures per (App ID, address) and per address, answers
per App ID scaled by approved concurrency; strangers can't spend an app's budget."""

import time

import pytest
import time_machine
from django.core.cache import caches

from accounts.services.app_tokens import app_token_mint
from accounts.services.sdk_generations import sdk_config_changed
from provisioning.models import ProvisioningRequest
from provisioning.sdk import store
from provisioning.sdk.limits import sdk_windows
from provisioning.sdk.store import _counter_commands, sdk_counter_add
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set, redis_caches
from tests.provisioning.api.helpers import sdk_get as get

UNKNOWN = "0" * 32


@pytest.fixture
def app(db):
    app = AppFactory(certificate_enabled=True)
    live_set(app, addresses=["192.0.2.10"])
    return app


def rates(settings, **scopes):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "sdk_app": "1000/minute",
            "sdk_fail": "1000/minute",
            "sdk_ip": "1000/minute",
            **scopes,
        },
    }
    settings.SDK_THROTTLE_APP_PER_USER = 0


def bearer(app) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {app_token_mint(app=app, ttl_seconds=600)}"}


BAD = {"HTTP_AUTHORIZATION": "Bearer not-a-token"}


def test_failures_per_app_and_address_answer_429_to_that_address_only(client, app, settings):
    rates(settings, sdk_fail="3/minute")
    plain = AppFactory()
    live_set(plain, addresses=["192.0.2.20"])

    failures = [get(client, app.app_id, REMOTE_ADDR="127.0.0.2", **BAD) for _ in range(4)]
    own = get(client, app.app_id, REMOTE_ADDR="127.0.0.3", **bearer(app))
    elsewhere = get(client, plain.app_id, REMOTE_ADDR="127.0.0.2")

    assert [r.status_code for r in failures] == [401, 401, 401, 429]
    throttled = failures[-1]
    assert throttled.json()["code"] == "throttled"
    seconds = throttled["Retry-After"]
    assert 1 <= int(seconds) <= 60
    assert throttled.json()["message"] == f"Too many requests; try again in {seconds} seconds."
    assert own.status_code == 200
    assert elsewhere.status_code == 200


def test_failures_per_address_span_app_ids(client, db, settings):
    rates(settings, sdk_ip="2/minute")

    statuses = [get(client, f"{n:032x}", REMOTE_ADDR="127.0.0.2").status_code for n in range(3)]

    assert statuses == [404, 404, 429]


def test_forged_forwarded_for_does_not_dodge_the_address_limit(client, db, settings):
    rates(settings, sdk_ip="2/minute")

    statuses = [
        get(client, UNKNOWN, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_answers_do_not_count_as_failures(client, app, settings):
    rates(settings, sdk_fail="2/minute", sdk_ip="2/minute")

    statuses = [get(client, app.app_id, **bearer(app)).status_code for _ in range(5)]

    assert statuses == [200] * 5


def test_only_requests_that_pass_spend_the_app_budget(client, app, settings):
    rates(settings, sdk_app="2/minute")

    strangers = [get(client, app.app_id, REMOTE_ADDR=f"127.0.0.{n}", **BAD) for n in range(2, 9)]
    own = [get(client, app.app_id, REMOTE_ADDR="127.0.1.1", **bearer(app)) for _ in range(3)]

    assert {r.status_code for r in strangers} == {401}
    assert [r.status_code for r in own] == [200, 200, 429]


def test_app_budget_grows_with_approved_concurrency(client, app, settings):
    rates(settings, sdk_app="2/minute")
    settings.SDK_THROTTLE_APP_PER_USER = 1
    ProvisioningRequest.objects.filter(app=app).update(concurrency=4)
    sdk_config_changed(app_ids=[app.app_id])

    statuses = [get(client, app.app_id, **bearer(app)).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]


class TestOnRedis:
    """With Redis the counts are shared by every process (increments ride along with each
    process's next round trip)."""

    @pytest.fixture
    def redis_cache(self, settings, redis_server):
        server = redis_server
        settings.CACHES = redis_caches(server.url)
        rates(settings, sdk_app="2/minute")
        caches["default"].clear()
        return caches["default"]

    def test_one_process_never_exceeds_the_limit(self, client, app, redis_cache):
        statuses = [get(client, app.app_id, **bearer(app)).status_code for _ in range(3)]

        assert statuses == [200, 200, 429]

    @time_machine.travel("2026-03-01T12:00:30Z", tick=False)
    def test_counts_of_other_processes_are_honoured(self, client, app, redis_cache):
        window = sdk_windows(app_id=app.app_id, client_ip="127.0.0.1", now=time.time())
        # Other web processes already let two requests of this app through.
        redis_cache.set(window["sdk_app"].key, 2, 61)

        response = get(client, app.app_id, **bearer(app))

        assert response.status_code == 429

    def test_counts_reach_redis_with_the_next_round_trip(self, client, app, redis_cache):
        get(client, app.app_id, **bearer(app))
        get(client, app.app_id, REMOTE_ADDR="127.0.0.9", **BAD)
        get(client, AppFactory().app_id)  # any request carries the pending counts
        window = sdk_windows(app_id=app.app_id, client_ip="127.0.0.9", now=time.time())

        assert redis_cache.get(window["sdk_app"].key) == 1
        assert redis_cache.get(window["sdk_fail"].key) == 1
        assert redis_cache.get(window["sdk_ip"].key) == 1

    def test_counters_expire_with_their_window(self, client, app, redis_cache):
        for _ in range(2):
            get(client, app.app_id, **bearer(app))
        get(client, AppFactory().app_id)  # carries the pending counts
        window = sdk_windows(app_id=app.app_id, client_ip="127.0.0.1", now=time.time())
        client_redis = redis_cache._cache.get_client(write=False)

        ttl = client_redis.ttl(redis_cache.make_key(window["sdk_app"].key))

        assert 0 < ttl <= window["sdk_app"].timeout

    def test_a_counter_lifetime_is_set_once_per_half_lifetime(self, redis_cache):
        key, now = "sdk-throttle:v2:test:one", time.monotonic()
        for _ in range(3):
            sdk_counter_add(key=key, timeout=60)
        first = _counter_commands(redis_cache, now)
        sdk_counter_add(key=key, timeout=60)
        second = _counter_commands(redis_cache, now + 29)

        assert [c.split(b"\r\n")[2] for c in first] == [b"INCRBY", b"EXPIRE"]
        assert b"$1\r\n3\r\n" in first[0]
        assert [c.split(b"\r\n")[2] for c in second] == [b"INCRBY"]
        sdk_counter_add(key=key, timeout=60)
        later = _counter_commands(redis_cache, now + 31)
        assert [c.split(b"\r\n")[2] for c in later] == [b"INCRBY", b"EXPIRE"]

    def test_a_failed_round_trip_sets_lifetimes_again(self, client, app, redis_cache):
        window = sdk_windows(app_id=app.app_id, client_ip="127.0.0.1", now=time.time())
        get(client, app.app_id, **bearer(app))
        get(client, app.app_id, **bearer(app))  # sends the counter and its lifetime
        sdk_counter_add(key=window["sdk_app"].key, timeout=61)
        assert [c.split(b"\r\n")[2] for c in _counter_commands(redis_cache)] == [b"INCRBY"]
        redis_cache._cache.get_client(write=True).client_kill_filter(_type="normal", skipme=True)

        get(client, app.app_id, **bearer(app))  # the round trip fails: it may not have landed
        sdk_counter_add(key=window["sdk_app"].key, timeout=61)

        commands = _counter_commands(redis_cache)
        assert [c.split(b"\r\n")[2] for c in commands] == [b"INCRBY", b"EXPIRE"]


def test_remembered_lifetimes_are_bounded(monkeypatch):
    monkeypatch.setattr(store, "EXPIRING_MAX_KEYS", 10)
    state = store._State()
    assert all(state.needs_expire(f"k{n}", 60, now=0.0) for n in range(10))
    assert not state.needs_expire("k3", 60, now=1.0)

    assert state.needs_expire("k10", 60, now=1.0)  # full of live ones: all forgotten
    assert list(state.expiring) == ["k10"] and state.needs_expire("k3", 60, now=2.0)
    assert all(state.needs_expire(f"a{n}", 60, now=2.0) for n in range(4))
    assert all(state.needs_expire(f"b{n}", 60, now=35.0) for n in range(4))  # all 10 kept

    assert state.needs_expire("c", 60, now=36.0)  # the expired ones go, the live stay
    assert sorted(state.expiring) == ["b0", "b1", "b2", "b3", "c"]
    assert not state.needs_expire("b0", 60, now=37.0)
