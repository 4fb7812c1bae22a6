"""The SDK endpoint under attack and outage, served by gunicorn as deployed.

Strangers on other addresses can't make an app's own clients see 429; a killed or hung
Redis (``CACHE_URL``, a server of the test's own) leaves the endpoint answering 200 from
the database; an unreachable database (a TCP proxy the test cuts) leaves cached apps
answering with their last config and fresh TURN credentials, and others a JSON 503.
"""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.services.app_tokens import app_token_mint
from provisioning.services.turn import turn_credential_sign
from tests.e2e.test_faults_web import _database_url_through, fetch, sdk_url
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TURN_SECRET = "turn-secret-of-the-fault-tests"
# What a loaded two-core machine may add to an answer that should be immediate.
SLACK = 3.0
HUNG_CACHE_LIMIT = 1.0
ATTACKERS = [f"127.0.0.{n}" for n in range(2, 12)]


def sdk_request(port: int, path: str, *, source: str, token: str = "") -> int:
    """GET ``path`` from the source address ``source``; return the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_strangers_on_ten_addresses_cannot_throttle_the_apps_own_clients(redis_server, web_server):
    app = AppFactory(certificate_enabled=True)
    live_set(app, addresses=["192.0.2.10"])
    token = app_token_mint(app=app, ttl_seconds=600)
    web = web_server(
        CACHE_URL=redis_server.url,
        TURN_SHARED_SECRETS=TURN_SECRET,
        # Budgets small enough for the strangers to exhaust many times over if they counted.
        SDK_THROTTLE_APP_RATE="40/minute",
        SDK_THROTTLE_APP_PER_USER=0,
        SDK_THROTTLE_FAIL_RATE="5/minute",
        SDK_THROTTLE_IP_RATE="20/minute",
    )
    path = f"/api/v1/sdk/proxy-config?app_id={app.app_id}"

    def stranger(source: str) -> list[int]:
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        return [
            sdk_request(web.port, path, source=source, token=forged if n % 2 else "")
            for n in range(30)
        ]

    with ThreadPoolExecutor(max_workers=len(ATTACKERS) + 1) as pool:
        strangers = [pool.submit(stranger, source) for source in ATTACKERS]
        own = [sdk_request(web.port, path, source="127.0.0.1", token=token) for _ in range(30)]
        stranger_statuses = [status for future in strangers for status in future.result()]

    assert own == [200] * 30, web.output()
    assert len(stranger_statuses) == 300
    assert set(stranger_statuses) == {401, 429}
    assert stranger_statuses.count(429) >= 200  # each stranger is stopped after its 5 failures


@pytest.fixture
def cached_web(redis_server, web_server):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "192.0.2.11"])
    web = web_server(CACHE_URL=redis_server.url, TURN_SHARED_SECRETS=TURN_SECRET)
    for _ in range(4):  # both workers have read the entry
        status, _, body, _ = fetch(sdk_url(web, app.app_id))
        assert status == 200, body
    return web, app


def _assert_served(web, app_id: str, *, limit: float, count: int = 6) -> None:
    for _ in range(count):
        status, headers, body, seconds = fetch(sdk_url(web, app_id))
        assert status == 200, body
        assert headers["Content-Type"] == "application/json"
        servers = json.loads(body)["servers"]
        assert [s["address"] for s in servers] == ["192.0.2.10", "192.0.2.11"]
        assert seconds < limit, f"the SDK endpoint took {seconds:.2f}s"


def test_a_killed_cache_leaves_the_sdk_endpoint_answering(redis_server, cached_web):
    web, app = cached_web

    redis_server.kill()

    _assert_served(web, app.app_id, limit=SLACK)
    status, headers, body, _ = fetch(sdk_url(web, "f" * 32))
    assert headers["Content-Type"] == "application/json"
    assert status == 404
    assert json.loads(body)["code"] == "unknown_app"


def test_a_hung_cache_never_holds_a_request_longer_than_a_second(redis_server, cached_web):
    web, app = cached_web

    redis_server.hang()
    try:
        _assert_served(web, app.app_id, limit=HUNG_CACHE_LIMIT, count=10)
    finally:
        redis_server.resume()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the app's rows must live behind the proxy"
)
def test_an_unreachable_database_serves_cached_apps_stale_and_others_503(
    redis_server, database_proxy, web_server
):
    cached, uncached = AppFactory(), AppFactory()
    for app in (cached, uncached):
        live_set(app, addresses=["192.0.2.10", "192.0.2.11"])
    web = web_server(
        DATABASE_URL=_database_url_through(database_proxy),
        DATABASE_CONNECT_TIMEOUT=2,
        CACHE_URL=redis_server.url,
        TURN_SHARED_SECRETS=TURN_SECRET,
        # Entries are trusted for a second only, so the outage meets entries due a rebuild.
        SDK_CONFIG_CACHE_TIMEOUT=1,
        SDK_CACHE_RETRY_SECONDS=0.5,
    )
    before = json.loads(fetch(sdk_url(web, cached.app_id))[2])

    database_proxy.cut()
    time.sleep(1.5)
    for _ in range(4):
        status, headers, body, seconds = fetch(sdk_url(web, cached.app_id))
        assert status == 200, body
        assert headers["X-Proxy-Config-Stale"] == "1"
        answer = json.loads(body)
        assert answer["servers"] == before["servers"]
        ice = answer["ice_servers"][0]
        expires_at = int(ice["username"].split(":")[0])
        assert expires_at > time.time()
        signed = turn_credential_sign(secret=TURN_SECRET, username=ice["username"])
        assert ice["credential"] == signed
        assert seconds < SLACK

    status, headers, body, seconds = fetch(sdk_url(web, uncached.app_id))
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "15"
    assert json.loads(body)["code"] == "database_unavailable"
    assert seconds < SLACK

    database_proxy.restore()
    time.sleep(0.6)
    status, headers, _, _ = fetch(sdk_url(web, cached.app_id))
    assert status == 200
    assert "X-Proxy-Config-Stale" not in headers
