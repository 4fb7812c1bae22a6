"""A customer's Node token server mints app tokens with ``jsonwebtoken`` from the published
spec alone (README, "App tokens"), and the SDK endpoint takes them."""

import json
import subprocess

import jwt
import pytest

from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)
from tests.factories import AppFactory, UserFactory
from tests.provisioning.api.conftest import api_settings  # noqa: F401 (autouse fixture)
from tests.provisioning.api.helpers import live_set, sdk_get

pytestmark = pytest.mark.e2e

# The spec: HS256, key = the certificate text as shown, sub = App ID, exp required, lifetime
# at most APP_TOKEN_MAX_TTL seconds.
MINT = """
const jwt = require("jsonwebtoken");
const [appId, certificate, extra] = process.argv.slice(1);
const options = { algorithm: "HS256" };
const claims = { sub: appId, ...JSON.parse(extra) };
if (!("exp" in claims)) options.expiresIn = 600;
process.stdout.write(jwt.sign(claims, certificate, options));
"""


@pytest.fixture
def app(db):
    app = AppFactory(certificate_enabled=True)
    live_set(app)
    return app


def node_mint(node_modules, app, certificate=None, **extra) -> str:
    certificate = certificate or app.certificate
    result = subprocess.run(
        ["node", "-e", MINT, app.app_id, certificate, json.dumps(extra)],
        cwd=node_modules.parent, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout


def call(client, app, token):
    return sdk_get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_minted_by_node_from_the_spec_is_accepted(client, node_modules, app):
    token = node_mint(node_modules, app)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    response = call(client, app, token)
    assert response.status_code == 200, response.content
    assert response.json()["app_id"] == app.app_id


def test_token_minted_by_node_with_the_secondary_certificate_during_rotation(
    client, node_modules, app
):
    actor = UserFactory()
    primary_token = node_mint(node_modules, app)
    secondary = app_secondary_certificate_generate(app=app, actor=actor)
    secondary_token = node_mint(node_modules, app, certificate=secondary)

    assert call(client, app, secondary_token).status_code == 200
    assert call(client, app, primary_token).status_code == 200

    app_secondary_certificate_promote(app=app, actor=actor)
    app_secondary_certificate_remove(app=app, actor=actor)

    assert call(client, app, secondary_token).status_code == 200
    refused = call(client, app, primary_token)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_invalid"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"aud": "proxy"}, "no aud claim"),
        ({"sub": "0" * 32}, "sub is not this App ID"),
        ({"exp": 4102444800}, "lives longer than the allowed"),
    ],
)
def test_tokens_the_spec_refuses_are_401_with_a_plain_message(
    client, node_modules, app, extra, message
):
    token = node_mint(node_modules, app, **extra)

    response = call(client, app, token)

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_invalid"
    assert message in body["message"]


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_key_is_the_certificate_text_not_its_hex_decoded_bytes(client, node_modules, app):
    claims = {"sub": app.app_id, "exp": 4102444800, "iat": 4102444000}
    token = jwt.encode(claims, bytes.fromhex(app.certificate), algorithm="HS256")

    response = call(client, app, token)

    assert response.status_code == 401
    assert response.json()["message"] == (
        "The app token's signature does not match the app certificate."
    )


@pytest.mark.parametrize("exp", ["tomorrow", "9999999999", True, None])
def test_non_numeric_or_missing_exp_is_401_not_500(client, app, exp):
    # jsonwebtoken refuses to sign these; other libraries don't.
    claims = {"sub": app.app_id} | ({} if exp is None else {"exp": exp})
    token = jwt.encode(claims, app.certificate, algorithm="HS256")

    response = call(client, app, token)

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_invalid"
    expected = "lacks the exp claim" if exp is None else "exp claim must be a number"
    assert expected in body["message"]


def test_openapi_publishes_the_token_spec(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    spec = schema["components"]["securitySchemes"]["AppToken"]["description"]
    for rule in ("`HS256` only", "not hex-decoded", "`sub`", "`exp`", "APP_TOKEN_MAX_TTL"):
        assert rule in spec
    assert "Leeway: 5 seconds" in spec
    assert "`aud`" in spec
