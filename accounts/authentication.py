"""Authenticate REST API callers by customer API key (``Authorization: Api-Key <key>``)."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from accounts.choices import CustomerStatus
from accounts.models import ApiKey
from accounts.services.api_keys import ApiKeyRejected, api_key_authenticate

API_KEY_KEYWORD = "Api-Key"


class ApiKeyUser(AnonymousUser):
    """The caller behind an API key: acts for one customer, never as staff."""

    def __init__(self, api_key: ApiKey):
        super().__init__()
        self.api_key = api_key
        self.customer_id = api_key.customer_id

    def __str__(self):
        return f"API key {self.api_key.prefix}"

    @property
    def is_anonymous(self):
        return False

    @property
    def is_authenticated(self):
        return True


class ApiKeyAuthenticationFailed(exceptions.AuthenticationFailed):
    """A rejected API key, with the reason as the error code."""


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Accept ``Authorization: Api-Key <prefix>.<secret>``; ``request.auth`` is the ApiKey."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, raw_key = header.partition(" ")
        if keyword.lower() != API_KEY_KEYWORD.lower():
            return None
        raw_key = raw_key.strip()
        if not raw_key or " " in raw_key:
            raise ApiKeyAuthenticationFailed(
                "Send the key as 'Authorization: Api-Key <key>'.", code="api_key_invalid"
            )
        try:
            api_key = api_key_authenticate(raw_key=raw_key)
        except ApiKeyRejected as exc:
            raise ApiKeyAuthenticationFailed(exc.message, code=exc.code) from exc
        if api_key.customer.status != CustomerStatus.ACTIVE:
            raise ApiKeyAuthenticationFailed(
                "The customer's account is suspended.", code="customer_suspended"
            )
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request):
        return API_KEY_KEYWORD


class StaffBasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic auth for staff scripts only; customers use API keys or the portal.

    Failed attempts count towards the same per-account and per-address lockout as the
    sign-in pages (django-axes), as ``authenticate()`` is given the request.
    """

    def authenticate_credentials(self, userid, password, request=None):
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        user, auth = super().authenticate_credentials(userid, password, request)
        if not user.is_staff:
            raise exceptions.AuthenticationFailed(
                "Basic authentication is for staff; use an API key.", code="basic_auth_staff_only"
            )
        return user, auth
