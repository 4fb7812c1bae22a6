"""Middleware of the whole site: requests no view could answer sensibly are turned away
before any view runs, a database outage is a 503, not a 500, and the SDK endpoint's GETs
take a short chain of their own."""

import logging

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import JsonResponse
from django.urls import get_script_prefix, reverse
from django.utils.module_loading import import_string
from django.views.defaults import bad_request

from core.errors import error_body
from provisioning.api.unavailable import database_unavailable, unavailable_response
from provisioning.api.views.sdk import proxy_config_get, proxy_config_send
from provisioning.sdk import sdk_proxy_config_done

logger = logging.getLogger(__name__)

NUL = "\x00"
NUL_MESSAGE = "The request contains a NUL character, which no path, parameter or header accepts."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(values) -> bool:
    return any(NUL in value for value in values)


def query_has_nul(query: str) -> bool:
    """Return whether a raw query string decodes to text holding NUL: ``%00`` is the only
    escape that decodes to it, so the string need not be parsed."""
    return NUL in query or "%00" in query


def request_has_nul(request) -> bool:
    """Return whether the path, a query parameter, a header or a form field holds NUL.

    PostgreSQL text cannot hold NUL, so such a value would fail deep in a query instead
    of being refused as the bad input it is.
    """
    meta = request.META
    if NUL in request.path_info or query_has_nul(meta.get("QUERY_STRING", "")):
        return True
    if _has_nul(str(value) for key, value in meta.items() if key.startswith("HTTP_")):
        return True
    # API bodies are parsed by the API's serializers, which refuse NUL field by field.
    is_form = request.method == "POST" and request.content_type in FORM_TYPES
    if is_form and not request.path_info.startswith("/api/"):
        fields = [*request.POST.keys(), *(v for _, vs in request.POST.lists() for v in vs)]
        return _has_nul(fields)
    return False


class RejectNulMiddleware:
    """Answer 400 to a request holding NUL: the JSON error shape under /api/, a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse(error_body("bad_request", NUL_MESSAGE), status=400)
            return bad_request(request, ValueError(NUL_MESSAGE))
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with ``Retry-After`` when a view fails because the database is unreachable.

    API views answer through the REST framework's exception handler; this covers the
    portal, the admin and plain views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        return unavailable_response(request)


class SdkEndpointMiddleware:
    """First in ``MIDDLEWARE``: a GET of the SDK endpoint goes through ``SDK_MIDDLEWARE``
    (security headers and HTTPS redirect, the NUL check, CORS, the frame header) straight
    to its view, and every other request through the rest of ``MIDDLEWARE``.

    Every SDK session calls this endpoint, anonymously and without cookies: sessions, CSRF,
    sign-in, messages, lockouts, static files and URL resolution would do nothing for it
    but cost more than its cached answer. Its other methods take the usual way. Its cache
    round trip is sent before the chain runs (``proxy_config_send``).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        handler = convert_exception_to_response(proxy_config_get)
        for path in reversed(settings.SDK_MIDDLEWARE):
            handler = convert_exception_to_response(import_string(path)(handler))
        self.sdk_handler = handler
        self.sdk_path = None

    def __call__(self, request):
        if self.sdk_path is None:  # as path_info has it: without the script prefix
            self.sdk_path = "/" + reverse("api:sdk-proxy-config")[len(get_script_prefix()) :]
        if request.path_info == self.sdk_path and request.method == "GET":
            # The cache round trip goes out first and Redis answers while the request goes
            # through SDK_MIDDLEWARE, instead of the worker waiting for it afterwards.
            proxy_config_send(request)
            try:
                return self.sdk_handler(request)
            finally:
                sdk_proxy_config_done()
        return self.get_response(request)
