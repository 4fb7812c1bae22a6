import base64
import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured

from provisioning.services.turn import (
    turn_credential_expiry,
    turn_credential_mint,
    turn_credential_sign,
)

APP_ID = "0123456789abcdef0123456789abcdef"


def test_credential_is_base64_hmac_sha1_of_the_username():
    expected = base64.b64encode(hmac.new(b"s3cret", b"1700000000:x", hashlib.sha1).digest())

    assert turn_credential_sign(secret="s3cret", username="1700000000:x") == expected.decode()


def test_first_secret_mints(settings):
    settings.TURN_SHARED_SECRETS = ["new", "old"]

    credential = turn_credential_mint(app_id=APP_ID, expires_at=1_800_000_000)

    assert credential.username == f"1800000000:{APP_ID}"
    assert credential.credential == turn_credential_sign(secret="new", username=credential.username)


def test_expiry_is_ttl_rounded_up_to_the_bucket(settings):
    settings.TURN_CREDENTIAL_TTL = 3600
    settings.TURN_CREDENTIAL_BUCKET = 300

    assert turn_credential_expiry(now=1_800_000_000) == 1_800_003_600
    assert turn_credential_expiry(now=1_800_000_001) == 1_800_003_900
    assert turn_credential_expiry(now=1_800_000_299.5) == 1_800_003_900


def test_no_secret_is_a_configuration_error(settings):
    settings.TURN_SHARED_SECRETS = []

    with pytest.raises(ImproperlyConfigured):
        turn_credential_mint(app_id=APP_ID)
