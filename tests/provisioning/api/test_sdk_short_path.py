"""GETs of the SDK endpoint take a short chain of their own (config.middleware.
SdkEndpointMiddleware): the answers are the same as the full chain's, headers included,
without sessions, sign-in or URL resolution."""

import time

import pytest
import redis
import time_machine
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import caches
from django.core.handlers.base import BaseHandler
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services.app_tokens import app_token_mint
from tests.factories import AppFactory
from tests.provisioning.api.helpers import SDK_URL as URL
from tests.provisioning.api.helpers import live_set, redis_caches
from tests.provisioning.api.helpers import sdk_get as get

SHORT_PATH = "config.middleware.SdkEndpointMiddleware"


@pytest.fixture
def app(db):
    app = AppFactory(certificate_enabled=True)
    live_set(app, addresses=["192.0.2.10"])
    return app


def _answers(client, app) -> list:
    token = app_token_mint(app=app, ttl_seconds=600)
    origin = {"HTTP_ORIGIN": "https://app.example.org"}
    requests = [
        {"HTTP_AUTHORIZATION": f"Bearer {token}", **origin},
        {"HTTP_AUTHORIZATION": f"Bearer {token}", "mode": "udp"},
        {},  # token_required
        {"HTTP_AUTHORIZATION": "Bearer nope", **origin},
        {"HTTP_X_PROBE": "a\x00b"},  # NUL in a header
    ]
    answers = []
    for headers in requests:
        mode = headers.pop("mode", None)
        response = get(client, app.app_id, mode, **headers)
        answers.append((response.status_code, response.content, sorted(response.items())))
    for path in (f"{URL}?app_id=XYZ", f"{URL}?app_id={app.app_id}%00"):
        response = client.get(path)
        answers.append((response.status_code, response.content, sorted(response.items())))
    return answers


@pytest.fixture(params=["locmem", "redis"])
def cache(request, settings):
    """The default cache; with Redis the short way sends the round trip ahead."""
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        settings.CACHES = redis_caches(server.url)
    caches["default"].clear()
    return request.param


@time_machine.travel("2026-03-01T12:00:30Z", tick=False)
def test_answers_equal_the_full_chains_headers_included(app, settings, cache):
    settings.SECURE_SSL_REDIRECT = False
    short = _answers(Client(), app)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != SHORT_PATH]

    full = _answers(Client(), app)

    assert [status for status, _, _ in short] == [200, 200, 401, 401, 400, 400, 400]
    assert short == full
    headers = {name.lower(): value for name, value in short[0][2]}
    assert headers["access-control-allow-origin"] == "*"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-length"] == str(len(short[0][1]))


@pytest.mark.parametrize("script_name", ["", "/proxy"])
def test_sessions_and_url_resolution_are_skipped(client, app, monkeypatch, script_name):
    seen, resolved = [], []
    sessions, resolve = SessionMiddleware.process_request, BaseHandler.resolve_request
    monkeypatch.setattr(
        SessionMiddleware, "process_request", lambda self, r: seen.append(r) or sessions(self, r)
    )
    monkeypatch.setattr(
        BaseHandler, "resolve_request", lambda self, r: resolved.append(r) or resolve(self, r)
    )

    assert get(client, app.app_id, SCRIPT_NAME=script_name).status_code == 401
    assert seen == [] and resolved == []
    assert client.get("/healthz", SCRIPT_NAME=script_name).status_code == 200
    assert len(seen) == 1 and len(resolved) == 1


def test_a_host_outside_allowed_hosts_is_400(client, app, settings):
    settings.ALLOWED_HOSTS = ["proxy.example.com"]

    assert get(client, app.app_id, HTTP_HOST="evil.example.net").status_code == 400


def test_plain_http_is_redirected_to_https(client, app, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = get(client, app.app_id)

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_other_methods_take_the_usual_way(client, app):
    response = client.post(f"{URL}?app_id={app.app_id}")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_dropped_cache_connection_is_made_again(client, app, settings, redis_server):
    settings.CACHES = redis_caches(redis_server.url)
    settings.SDK_CACHE_RETRY_SECONDS = 0.1
    token = {"HTTP_AUTHORIZATION": f"Bearer {app_token_mint(app=app, ttl_seconds=600)}"}
    assert get(client, app.app_id, **token).status_code == 200
    redis.Redis.from_url(redis_server.url).client_kill_filter(_type="normal", skipme=True)

    with CaptureQueriesContext(connection) as built:
        dropped = get(client, app.app_id, **token)
    time.sleep(0.2)
    with CaptureQueriesContext(connection) as queries:
        again = get(client, app.app_id, **token)

    assert dropped.status_code == 200 and again.status_code == 200
    assert len(built) > 0  # the read failed: built from the database meanwhile
    assert len(queries) == 0  # a new connection: the entry came from the cache again
