import time

import jwt
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.services.app_tokens import AppTokenError, app_token_mint, app_token_verify
from tests.factories import AppFactory


@pytest.fixture
def app(db):
    return AppFactory()


def verify(app, token):
    return app_token_verify(app_id=app.app_id, certificates=app.certificates, token=token)


@time_machine.travel("2026-03-01T12:00:00Z", tick=False)
def test_minted_token_is_hs256_signed_with_the_certificate(app):
    token = app_token_mint(app=app, ttl_seconds=600)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, app.certificate, algorithms=["HS256"])
    assert claims == {"sub": app.app_id, "iat": 1772366400, "exp": 1772367000}
    assert verify(app, token)["sub"] == app.app_id


@pytest.mark.parametrize("ttl", [0, -5, 86401])
def test_mint_refuses_lifetimes_out_of_range(app, ttl, settings):
    settings.APP_TOKEN_MAX_TTL = 86400

    with pytest.raises(ValidationError) as excinfo:
        app_token_mint(app=app, ttl_seconds=ttl)

    assert "ttl_seconds" in excinfo.value.message_dict


def test_token_expires(app):
    with time_machine.travel("2026-03-01T12:00:00Z", tick=False):
        token = app_token_mint(app=app, ttl_seconds=60)
    with time_machine.travel("2026-03-01T12:01:30Z", tick=False), pytest.raises(AppTokenError) as e:
        verify(app, token)

    assert e.value.code == "token_expired"


def test_rotated_certificate_invalidates_old_tokens(app):
    token = app_token_mint(app=app, ttl_seconds=60)
    app.certificate = "f" * 32

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, token)

    assert excinfo.value.code == "token_invalid"


def test_token_longer_than_the_maximum_is_refused_even_if_signed(app, settings):
    settings.APP_TOKEN_MAX_TTL = 3600
    token = jwt.encode(
        {"sub": app.app_id, "iat": 1_800_000_000, "exp": 1_800_007_200}, app.certificate
    )

    with time_machine.travel(1_800_000_000, tick=False), pytest.raises(AppTokenError) as e:
        verify(app, token)

    assert e.value.code == "token_invalid"
    assert "3600" in e.value.message


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_time_that_is_no_number_is_refused_not_an_error(app, claim, value):
    claims = {"sub": app.app_id, "exp": int(time.time()) + 60, claim: value}
    token = jwt.encode(claims, app.certificate)  # JSON's NaN and Infinity, as json.dumps writes

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, token)

    assert excinfo.value.code == "token_invalid"
    assert claim in excinfo.value.message


def test_none_algorithm_is_refused(app):
    token = jwt.encode({"sub": app.app_id, "exp": 9_999_999_999}, None, algorithm="none")

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, token)

    assert excinfo.value.code == "token_invalid"


def test_command_prints_a_token(app, capsys):
    call_command("mint_app_token", app.app_id, "--ttl", "120")

    token = capsys.readouterr().out.strip()
    claims = verify(app, token)
    assert claims["exp"] - claims["iat"] == 120


def test_command_rejects_unknown_app_and_bad_ttl(app):
    with pytest.raises(CommandError, match="No app"):
        call_command("mint_app_token", "0" * 32)
    with pytest.raises(CommandError, match="1 to"):
        call_command("mint_app_token", app.app_id, "--ttl", "999999999")


@pytest.mark.parametrize("ttl", ["0", "-5"])
def test_command_refuses_a_ttl_of_zero_or_less_instead_of_minting_the_longest(app, capsys, ttl):
    with pytest.raises(CommandError, match=rf"--ttl must be 1 to \d+ seconds, not {ttl}"):
        call_command("mint_app_token", app.app_id, "--ttl", ttl)

    assert capsys.readouterr().out == ""
