"""With Redis, a GET of the SDK endpoint sends its cache round trip before its middleware
run and reads the replies in the view; a request refused before it reads them leaves none
behind for the next request, and a round trip sent for other keys is dropped, not read."""

import pickle
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.middleware.security import SecurityMiddleware
from hypothesis import given
from hypothesis import strategies as st

from accounts.services.app_tokens import app_token_mint
from provisioning.sdk import proxy_config, sdk_state_clear, store
from provisioning.sdk.limits import sdk_windows
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set, redis_caches
from tests.provisioning.api.helpers import sdk_get as get


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.CACHES = redis_caches(redis_server.url)
    settings.SECURE_SSL_REDIRECT = False
    caches["default"].clear()
    return caches["default"]


def _live_app(address: str, **fields):
    app = AppFactory(**fields)
    live_set(app, addresses=[address])
    return app


@pytest.fixture
def events(monkeypatch) -> list[str]:
    """Record the round trips sent and when the short chain's first middleware ran."""
    recorded = []
    send, security = store._redis_send, SecurityMiddleware.process_request

    def recording_send(backend, keys):
        recorded.append("send")
        return send(backend, keys)

    def recording_security(self, request):
        recorded.append("middleware")
        return security(self, request)

    monkeypatch.setattr(store, "_redis_send", recording_send)
    monkeypatch.setattr(SecurityMiddleware, "process_request", recording_security)
    return recorded


def test_the_round_trip_goes_out_before_the_middleware_run(client, db, redis_cache, events):
    app = _live_app("192.0.2.10", certificate_enabled=True)
    token = {"HTTP_AUTHORIZATION": f"Bearer {app_token_mint(app=app, ttl_seconds=600)}"}
    get(client, app.app_id, **token)  # builds the entry
    events.clear()

    response = get(client, app.app_id, **token)

    assert response.status_code == 200
    assert events == ["send", "middleware"]  # one round trip, sent first
    assert "192.0.2.10" in response.content.decode()


@pytest.mark.parametrize(
    "refused",
    [
        {"HTTP_HOST": "evil.example.org"},  # DisallowedHost, before the view reads
        {"HTTP_X_PROBE": "a\x00b"},  # NUL: refused by the short chain's middleware
    ],
    ids=["host", "nul"],
)
def test_a_refused_request_leaves_no_reply_for_the_next(client, db, redis_cache, refused):
    first = _live_app("192.0.2.10")
    second = _live_app("198.51.100.20")
    get(client, first.app_id)
    expected = get(client, second.app_id).content

    refusal = get(client, first.app_id, **refused)
    left = getattr(store._local, "sent", None)
    answer = get(client, second.app_id)

    assert refusal.status_code == 400
    assert left is None  # its replies were read and dropped as it was answered
    assert answer.status_code == 200
    assert answer.content == expected
    assert "198.51.100.20" in answer.content.decode()
    assert "192.0.2.10" not in answer.content.decode()


def test_a_window_turning_in_between_sends_afresh(client, db, redis_cache, events, monkeypatch):
    app = _live_app("192.0.2.10")
    get(client, app.app_id)
    clock = iter([59.999, *(60.001 + n / 1000 for n in range(1000))])
    start = (int(time.time()) // 60 + 1) * 60  # the next minute: the entry stays fresh

    class Clock:
        @staticmethod
        def time():
            return start + next(clock)

    monkeypatch.setattr(proxy_config, "time", Clock)
    events.clear()

    response = get(client, app.app_id)
    following = get(client, app.app_id)

    assert response.status_code == 200 and following.status_code == 200
    assert following.content == response.content
    # Sent ahead for the old window, dropped, sent again for the new one; then the next.
    assert events == ["send", "middleware", "send", "send", "middleware"]
    window = sdk_windows(app_id=app.app_id, client_ip="127.0.0.1", now=start + 60.5)
    assert redis_cache.get(window["sdk_app"].key) == 1  # the first answer, sent with the next


def test_clearing_the_state_drops_a_round_trip_sent_ahead(db, redis_cache):
    app = _live_app("192.0.2.10")
    store.sdk_cache_send(keys=[f"sdk-entry:v3:{app.app_id}"])
    connection = store._local.connection
    assert store._local.sent.connection is connection

    sdk_state_clear()

    assert getattr(store._local, "sent", None) is None
    assert connection._sock is None  # closed: its replies can't be read by anyone


def test_other_caches_send_nothing_ahead(client, db, settings, events):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    app = _live_app("192.0.2.10")

    assert get(client, app.app_id).status_code == 200
    assert events == ["middleware"]


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=10,
)


@given(value=values)
def test_values_read_as_djangos_serializer_reads_them(value):
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    serializer = backend._cache._serializer
    stored = serializer.dumps(value)
    data = stored if isinstance(stored, bytes) else str(stored).encode()  # ints as digits

    assert store._loads(backend)(data) == serializer.loads(data) == value


def test_a_pickle_is_unpickled_without_trying_int(monkeypatch):
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    entry = pickle.dumps({"app_id": "a" * 32}, pickle.HIGHEST_PROTOCOL)
    monkeypatch.setattr(RedisSerializer, "loads", lambda self, data: pytest.fail("int first"))

    assert store._loads(backend)(entry) == {"app_id": "a" * 32}


class MarkingSerializer(RedisSerializer):
    def loads(self, data):
        return ("read by", data)


def test_another_serializer_reads_its_own_values():
    options = {"serializer": f"{__name__}.MarkingSerializer"}
    backend = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": options})
    entry = pickle.dumps(1, pickle.HIGHEST_PROTOCOL)

    assert store._loads(backend)(entry) == ("read by", entry)
