import pytest
from rest_framework.test import APIRequestFactory

from accounts.authentication import ApiKeyAuthentication, ApiKeyAuthenticationFailed, ApiKeyUser
from accounts.choices import CustomerStatus
from accounts.services.api_keys import api_key_create, api_key_revoke
from tests.factories import CustomerFactory

factory = APIRequestFactory()


def authenticate(header):
    request = factory.get("/api/v1/apps/", HTTP_AUTHORIZATION=header)
    return ApiKeyAuthentication().authenticate(request)


@pytest.fixture
def issued(db):
    return api_key_create(customer=CustomerFactory(), name="sync", scopes=["read", "rules"])


def test_api_key_header_authenticates_as_the_customer(issued):
    api_key, raw_key = issued

    user, auth = authenticate(f"Api-Key {raw_key}")

    assert isinstance(user, ApiKeyUser)
    assert user.is_authenticated and not user.is_staff
    assert user.customer_id == api_key.customer_id
    assert auth == api_key


@pytest.mark.parametrize("header", ["", "Basic abc", "Bearer xyz"])
def test_other_schemes_are_left_to_other_authenticators(db, header):
    assert authenticate(header) is None


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key a b", "Api-Key nope.nope"])
def test_malformed_or_unknown_keys_fail(db, header):
    with pytest.raises(ApiKeyAuthenticationFailed) as excinfo:
        authenticate(header)

    assert excinfo.value.get_codes() == "api_key_invalid"


def test_revoked_key_fails(issued):
    api_key, raw_key = issued
    api_key_revoke(api_key=api_key)

    with pytest.raises(ApiKeyAuthenticationFailed) as excinfo:
        authenticate(f"Api-Key {raw_key}")

    assert excinfo.value.get_codes() == "api_key_revoked"


def test_suspended_customer_key_fails(issued):
    api_key, raw_key = issued
    type(api_key.customer).objects.filter(pk=api_key.customer_id).update(
        status=CustomerStatus.SUSPENDED
    )

    with pytest.raises(ApiKeyAuthenticationFailed) as excinfo:
        authenticate(f"Api-Key {raw_key}")

    assert excinfo.value.get_codes() == "customer_suspended"
