"""Web processes stay responsive when a peer fails: a hung broker, a cut or stalled database.

Each test runs gunicorn with the shipped settings against a Redis server of its own or a
TCP proxy in front of PostgreSQL, and breaks that peer on purpose.
"""

import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.e2e.conftest import wait_for
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

READYZ_LIMIT = 2.0
# What a loaded two-core machine may add to an answer that should be immediate. The
# broker socket timeout in the test (10 s) stays well above the limit plus this.
SLACK = 3.0


def fetch(url: str, *, headers: dict | None = None, timeout: float = 30):
    """GET ``url``; return (status, headers, body, seconds taken)."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, answer_headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, body = error.code, error.headers, error.read()
    return status, answer_headers, body, time.monotonic() - started


def sdk_url(web, app_id: str) -> str:
    return f"{web.url}/api/v1/sdk/proxy-config?app_id={app_id}"


def test_a_hung_broker_fails_readyz_within_its_limit_and_leaves_the_sdk_endpoint_alone(
    redis_server, web_server
):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "192.0.2.11"])
    web = web_server(
        CELERY_BROKER_URL=redis_server.url,
        READYZ_TIMEOUT_SECONDS=READYZ_LIMIT,
        # A broker call gives up only after this; /readyz must not wait for it.
        BROKER_SOCKET_TIMEOUT=10,
        WEB_CONCURRENCY=2,
        GUNICORN_THREADS=4,
        # The test asks more often than the throttles let one client.
        SDK_THROTTLE_IP_RATE="10000/minute",
        SDK_THROTTLE_APP_RATE="10000/minute",
    )
    assert fetch(f"{web.url}/readyz")[0] == 200
    for _ in range(4):  # every worker process has served the SDK once
        assert fetch(sdk_url(web, app.app_id))[0] == 200

    redis_server.hang()
    with ThreadPoolExecutor(max_workers=4) as pool:
        # Probes from two load balancers at once, twice each, while SDKs keep asking.
        probes = [pool.submit(fetch, f"{web.url}/readyz") for _ in range(4)]
        time.sleep(0.2)
        sdk_answers = []
        while len(sdk_answers) < 3 or not all(probe.done() for probe in probes):
            sdk_answers.append(fetch(sdk_url(web, app.app_id)))
            time.sleep(0.1)
        probe_answers = [probe.result() for probe in probes]

    for status, _, body, seconds in probe_answers:
        assert status == 503
        assert json.loads(body)["checks"] == {
            "database": "ok",
            "cache": "ok",
            "broker": "unavailable",
        }
        assert seconds < READYZ_LIMIT + SLACK, f"/readyz took {seconds:.1f}s"
    for status, _, body, seconds in sdk_answers:
        assert status == 200, body
        servers = json.loads(body)["servers"]
        assert [server["address"] for server in servers] == ["192.0.2.10", "192.0.2.11"]
        assert seconds < SLACK, f"the SDK endpoint took {seconds:.1f}s"

    redis_server.resume()
    wait_for(
        lambda: fetch(f"{web.url}/readyz")[0] == 200,
        timeout=30,
        message=f"/readyz did not recover:\n{web.output()}",
    )


def _database_url_through(proxy) -> str:
    """Return a DATABASE_URL that reaches PostgreSQL through ``proxy``."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        name = db["NAME"]
    else:  # only /readyz's SELECT 1 needs the far side: any database of the server does
        credentials, name = "postgres", "postgres"
    return f"postgres://{credentials}@127.0.0.1:{proxy.port}/{name}"


@pytest.fixture
def web_behind_proxy(database_proxy, web_server):
    return web_server(
        DATABASE_URL=_database_url_through(database_proxy),
        DATABASE_CONNECT_TIMEOUT=2,
        READYZ_TIMEOUT_SECONDS=READYZ_LIMIT,
    )


def _assert_unavailable(web, *, within: float) -> None:
    # Checking the API key needs the database.
    status, headers, body, seconds = fetch(
        f"{web.url}/api/v1/apps/", headers={"Authorization": f"Api-Key abcd1234.{uuid.uuid4().hex}"}
    )
    assert status == 503, web.output()
    assert headers["Retry-After"] == "15"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == "database_unavailable"
    assert seconds < within, f"the API took {seconds:.1f}s"

    # A signed-in page needs the session from the database.
    status, headers, body, seconds = fetch(
        f"{web.url}/", headers={"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}
    )
    assert status == 503
    assert headers["Retry-After"] == "15"
    assert headers["Content-Type"].startswith("text/html")
    assert b"Temporarily unavailable" in body
    assert seconds < within, f"the page took {seconds:.1f}s"

    status, _, body, seconds = fetch(f"{web.url}/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["database"] == "unavailable"
    assert seconds < READYZ_LIMIT + SLACK


def test_a_cut_database_answers_503_with_retry_after_and_recovers(database_proxy, web_behind_proxy):
    web = web_behind_proxy
    assert fetch(f"{web.url}/readyz")[0] == 200

    database_proxy.cut()
    _assert_unavailable(web, within=SLACK)

    database_proxy.restore()
    assert fetch(f"{web.url}/readyz")[0] == 200


def test_a_stalled_database_answers_503_within_the_connect_timeout(
    database_proxy, web_behind_proxy
):
    web = web_behind_proxy
    assert fetch(f"{web.url}/readyz")[0] == 200

    database_proxy.stall()
    # Each request opens its connection (DATABASE_CONN_MAX_AGE=0): the connect timeout
    # (2 s) bounds how long it waits for a database that doesn't answer.
    _assert_unavailable(web, within=2 + SLACK)

    database_proxy.restore()
    wait_for(lambda: fetch(f"{web.url}/readyz")[0] == 200, timeout=30, message=web.output())
