"""The SDK endpoint during a certificate rotation: tokens of the primary and the secondary
are both served while they overlap, and a removed certificate's tokens are refused."""

import time

import jwt
import pytest

from accounts.services.app_tokens import app_token_mint
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)
from tests.factories import AppFactory, UserFactory
from tests.provisioning.api.helpers import live_set
from tests.provisioning.api.helpers import sdk_get as get


@pytest.fixture
def app(db):
    app = AppFactory(certificate_enabled=True)
    live_set(app)
    return app


@pytest.fixture
def actor(db):
    return UserFactory()


def call(client, app, token):
    return get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_tokens_of_both_certificates_are_served_during_the_overlap(client, app, actor):
    primary_token = app_token_mint(app=app, ttl_seconds=600)
    secondary = app_secondary_certificate_generate(app=app, actor=actor)
    # Minted by the customer's token server from the secret the portal showed.
    secondary_token = jwt.encode(
        {"sub": app.app_id, "exp": int(time.time()) + 600}, secondary, algorithm="HS256"
    )
    minted_secondary = app_token_mint(app=app, ttl_seconds=600, certificate="secondary")

    assert call(client, app, primary_token).status_code == 200
    assert call(client, app, secondary_token).status_code == 200
    assert call(client, app, minted_secondary).status_code == 200


def test_promotion_keeps_tokens_in_flight_working(client, app, actor):
    in_flight = app_token_mint(app=app, ttl_seconds=600)
    app_secondary_certificate_generate(app=app, actor=actor)

    app_secondary_certificate_promote(app=app, actor=actor)

    assert call(client, app, in_flight).status_code == 200
    assert call(client, app, app_token_mint(app=app, ttl_seconds=600)).status_code == 200


def test_the_removed_certificates_tokens_are_refused(client, app, actor):
    old_token = app_token_mint(app=app, ttl_seconds=600)
    app_secondary_certificate_generate(app=app, actor=actor)
    app_secondary_certificate_promote(app=app, actor=actor)
    new_token = app_token_mint(app=app, ttl_seconds=600)
    assert call(client, app, old_token).status_code == 200

    app_secondary_certificate_remove(app=app, actor=actor)

    response = call(client, app, old_token)
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_invalid",
        "message": "The app token's signature does not match the app certificate.",
    }
    assert call(client, app, new_token).status_code == 200


def test_a_token_of_neither_certificate_names_both(client, app, actor):
    app_secondary_certificate_generate(app=app, actor=actor)
    stranger = jwt.encode({"sub": app.app_id, "exp": 4102444800}, "e" * 32, algorithm="HS256")

    response = call(client, app, stranger)

    assert response.status_code == 401
    assert response.json()["message"] == (
        "The app token's signature matches neither of the app's certificates."
    )
