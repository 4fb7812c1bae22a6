"""The SDK endpoint's answers and errors, in the contract's order of checks."""

import base64
import hashlib
import hmac

import jwt
import pytest
import time_machine
from django.core.management import call_command

from accounts.choices import AppStatus, CustomerStatus
from accounts.services.app_tokens import app_token_mint
from accounts.services.sdk_generations import sdk_config_changed
from provisioning.choices import AllocationKind, RequestStatus
from provisioning.models import ProvisioningRequest
from tests.factories import AppFactory
from tests.provisioning.api.conftest import TURN_SECRET
from tests.provisioning.api.helpers import SDK_URL as URL
from tests.provisioning.api.helpers import live_set
from tests.provisioning.api.helpers import sdk_get as get

NOW = "2026-03-01T12:00:00Z"


@pytest.fixture
def app(db):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "192.0.2.11"], edge_addresses=["198.51.100.7"])
    return app


@time_machine.travel(NOW, tick=False)
def test_answers_servers_and_turn_credentials_coturn_accepts(client, app):
    response = get(client, app.app_id)

    assert response.status_code == 200
    body = response.json()
    assert body["app_id"] == app.app_id
    assert body["environment"] == "test"
    assert body["mode"] == "auto"
    assert [s["address"] for s in body["servers"]] == ["198.51.100.7", "192.0.2.10", "192.0.2.11"]
    proxy = body["servers"][1]
    assert proxy["role"] == "proxy"
    assert proxy["region"] == "na"
    assert proxy["tcp_ports"] == [
        {"start": 443, "end": 443},
        {"start": 3433, "end": 3460},
        {"start": 4000, "end": 4000},
    ]
    assert proxy["udp_ports"] == [{"start": 3478, "end": 3500}]
    # One ICE server per chosen proxy (at most a few per region), both transports each.
    assert sorted(ice["urls"] for ice in body["ice_servers"]) == [
        ["turn:192.0.2.10:3478?transport=udp", "turn:192.0.2.10:443?transport=tcp"],
        ["turn:192.0.2.11:3478?transport=udp", "turn:192.0.2.11:443?transport=tcp"],
    ]
    ice = body["ice_servers"][0]
    # 12:00 + 3600 s, rounded up to the 300 s bucket: 13:00 exactly.
    expiry = 1772370000
    assert ice["username"] == f"{expiry}:{app.app_id}"
    expected = hmac.new(TURN_SECRET.encode(), ice["username"].encode(), hashlib.sha1).digest()
    assert ice["credential"] == base64.b64encode(expected).decode()
    assert body["ttl"] == 3600
    assert body["expires_at"] == "2026-03-01T13:00:00Z"


def test_udp_mode_keeps_udp_media_with_tcp_messages_and_edges_and_tcp_mode_keeps_tcp(client, app):
    udp = get(client, app.app_id, "udp").json()
    tcp = get(client, app.app_id, "tcp").json()

    assert (udp["sdk_mode"], tcp["sdk_mode"]) == (3, 5)
    assert [s["address"] for s in udp["servers"]] == ["198.51.100.7", "192.0.2.10", "192.0.2.11"]
    edge, *proxies = udp["servers"]
    assert edge["tcp_ports"] == [{"start": 443, "end": 443}]
    messages = [{"start": 443, "end": 443}, {"start": 4000, "end": 4000}]
    assert all(s["tcp_ports"] == messages for s in proxies)
    assert all(s["udp_ports"] == [{"start": 3478, "end": 3500}] for s in proxies)
    assert all(url.endswith("transport=udp") for ice in udp["ice_servers"] for url in ice["urls"])
    assert all(s["udp_ports"] == [] for s in tcp["servers"])
    assert [s["address"] for s in tcp["servers"]] == ["198.51.100.7", "192.0.2.10", "192.0.2.11"]
    assert sorted(url for ice in tcp["ice_servers"] for url in ice["urls"]) == [
        "turn:192.0.2.10:443?transport=tcp",
        "turn:192.0.2.11:443?transport=tcp",
    ]


def test_production_wins_over_test_during_handover(client, app):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])

    body = get(client, app.app_id).json()

    assert body["environment"] == "production"
    assert [s["address"] for s in body["servers"]] == ["203.0.113.5"]


@pytest.mark.parametrize(
    ("app_id", "status", "code"),
    [
        ("", 400, "invalid_app_id"),
        ("ABCDEF0123456789ABCDEF0123456789", 400, "invalid_app_id"),
        ("0" * 31, 400, "invalid_app_id"),
        ("0" * 32, 404, "unknown_app"),
    ],
)
def test_app_id_is_checked_first(client, db, app_id, status, code):
    response = get(client, app_id, mode="bogus")

    assert response.status_code == status
    assert response.json()["code"] == code


def test_unknown_mode_is_400(client, app):
    response = get(client, app.app_id, mode="quic")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_mode"


@pytest.mark.parametrize("what", ["app", "customer"])
def test_disabled_app_or_suspended_customer_is_403_before_token_checks(client, app, what):
    app.certificate_enabled = True
    app.save()
    if what == "app":
        type(app).objects.filter(pk=app.pk).update(status=AppStatus.DISABLED)
    else:
        type(app.customer).objects.filter(pk=app.customer_id).update(
            status=CustomerStatus.SUSPENDED
        )
    sdk_config_changed(app_ids=[app.app_id])  # bulk updates send no signals

    response = get(client, app.app_id)

    assert response.status_code == 403
    assert response.json() == {"code": "app_disabled", "message": "This app is disabled."}


def test_no_live_allocation_is_no_proxy_service(client, db):
    app = AppFactory()

    response = get(client, app.app_id)

    assert response.status_code == 404
    assert response.json()["code"] == "no_proxy_service"


def test_suspended_request_gets_no_proxy_service(client, app):
    ProvisioningRequest.objects.filter(app=app).update(status=RequestStatus.SUSPENDED)
    sdk_config_changed(app_ids=[app.app_id])  # bulk updates send no signals

    assert get(client, app.app_id).json()["code"] == "no_proxy_service"


class TestAppTokens:
    @pytest.fixture
    def app(self, app):
        app.certificate_enabled = True
        app.save()
        return app

    def test_missing_token_is_token_required(self, client, app):
        response = get(client, app.app_id)

        assert response.status_code == 401
        assert response.json()["code"] == "token_required"

    def test_valid_token_is_accepted(self, client, app):
        token = app_token_mint(app=app, ttl_seconds=600)

        response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 200

    @pytest.mark.parametrize(
        "make",
        [
            lambda app: "not-a-jwt",
            lambda app: jwt.encode({"sub": app.app_id, "exp": 9999999999}, "w" * 32, "HS256"),
            lambda app: jwt.encode({"sub": app.app_id}, app.certificate, "HS256"),
            lambda app: jwt.encode({"sub": "0" * 32, "exp": 9999999999}, app.certificate, "HS256"),
            lambda app: jwt.encode(
                {"sub": app.app_id, "exp": 9999999999}, app.certificate, "HS512"
            ),
            lambda app: jwt.encode(
                {"sub": app.app_id, "iat": 1, "exp": 9999999999}, app.certificate, "HS256"
            ),
        ],
        ids=["garbage", "wrong-key", "no-exp", "other-app", "other-alg", "too-long"],
    )
    @pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
    def test_bad_token_is_token_invalid(self, client, app, make):
        response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {make(app)}")

        assert response.status_code == 401
        assert response.json()["code"] == "token_invalid"

    def test_token_printed_by_the_command_is_accepted(self, client, app, capsys):
        call_command("mint_app_token", app.app_id, "--ttl", "300")
        token = capsys.readouterr().out.strip()

        response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 200

    def test_token_under_another_scheme_is_token_invalid(self, client, app):
        token = app_token_mint(app=app, ttl_seconds=600)

        response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Token {token}")

        assert response.json()["code"] == "token_invalid"

    def test_expired_token_is_token_expired(self, client, app):
        with time_machine.travel("2026-03-01T10:00:00Z", tick=False):
            token = app_token_mint(app=app, ttl_seconds=60)

        with time_machine.travel("2026-03-01T10:05:00Z", tick=False):
            response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 401
        assert response.json()["code"] == "token_expired"

    def test_no_proxy_service_is_checked_after_the_token(self, client, db):
        app = AppFactory(certificate_enabled=True)

        assert get(client, app.app_id).json()["code"] == "token_required"
        token = app_token_mint(app=app, ttl_seconds=600)
        response = get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.json()["code"] == "no_proxy_service"


def test_other_methods_are_405_in_the_error_shape(client, db):
    response = client.post(URL, {"app_id": "0" * 32})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_unexpected_errors_are_500_in_the_error_shape(client, app, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("provisioning.api.views.sdk.sdk_proxy_config", explode)

    response = get(client, app.app_id)

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "fire" not in response.content.decode()


def test_without_turn_secrets_the_static_config_is_served_without_ice_servers(
    client, app, settings
):
    settings.TURN_SHARED_SECRETS = []

    response = get(client, app.app_id, "udp")

    assert response.status_code == 200
    body = response.json()
    assert body["ice_servers"] == [] and body["mode"] == "udp"
    addresses = {server["address"] for server in body["servers"]}
    assert {"192.0.2.10", "192.0.2.11", "198.51.100.7"} <= addresses
