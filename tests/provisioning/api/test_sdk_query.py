"""The SDK view reads its parameters and the client address without QueryDict and without
the REST framework's throttle where it can: both must agree with them."""

import io

import pytest
from django.core.handlers.wsgi import WSGIRequest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.throttling import BaseThrottle

from provisioning.api.views.sdk import PLAIN_QUERY_MAX, client_ip, query_parameters
from tests.factories import AppFactory
from tests.provisioning.api.helpers import SDK_URL, live_set
from tests.provisioning.api.helpers import sdk_get as get

QUERY_TEXT = st.text(alphabet="amode_id=&;%+20xé\x00", max_size=48)
# Without escapes or non-ASCII: always split without QueryDict.
PLAIN_QUERY_TEXT = st.text(alphabet="amode_id=&;20x\x00", max_size=48)


def _request(query: str = "", **meta) -> WSGIRequest:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/sdk/proxy-config",
        # A WSGI server passes the raw bytes of the query string as latin-1 text.
        "QUERY_STRING": query.encode().decode("latin-1"),
        "wsgi.input": io.BytesIO(b""),
        "REMOTE_ADDR": "192.0.2.1",
        **meta,
    }
    return WSGIRequest(environ)


def _by_query_dict(query: str) -> dict:
    parsed = _request(query).GET
    return {name: parsed.get(name) for name in parsed}


@given(QUERY_TEXT)
def test_parameters_agree_with_query_dict(query):
    assert query_parameters(_request(query)) == _by_query_dict(query)


@given(PLAIN_QUERY_TEXT)
def test_plain_queries_split_without_query_dict_agree_with_it(query):
    request = _request(query)

    assert query_parameters(request) == _by_query_dict(query)
    assert "GET" not in request.__dict__  # the QueryDict was never built


@pytest.mark.parametrize(
    "query",
    [
        "app_id=a&mode=udp",
        "mode=udp&app_id=a&app_id=b",  # the last value, as QueryDict.get
        "app_id&mode=",
        "app_id=a=b",
        "app_id=%61b+c",
        "app_id=caf%C3%A9",
        "&&app_id=a&",
        "x=1&" * (PLAIN_QUERY_MAX // 4) + "app_id=a",  # long: QueryDict's own way
    ],
)
def test_sdk_queries_agree_with_query_dict(query):
    assert query_parameters(_request(query)) == _by_query_dict(query)


@pytest.mark.parametrize("num_proxies", [None, 0, 1, 2])
@pytest.mark.parametrize(
    "forwarded", [None, "203.0.113.7", "203.0.113.7, 198.51.100.2", " 203.0.113.7 ,x"]
)
def test_the_client_address_agrees_with_the_throttle(settings, num_proxies, forwarded):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    meta = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}

    assert client_ip(_request(**meta)) == BaseThrottle().get_ident(_request(**meta))


def test_too_many_fields_is_a_json_400(client, db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10"])
    query = "&".join(f"f{n}=%20" for n in range(20))

    response = client.get(f"{SDK_URL}?app_id={app.app_id}&{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"
    assert get(client, app.app_id).status_code == 200
