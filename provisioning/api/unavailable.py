"""503 with ``Retry-After`` when the database can't be reached, instead of a 500.

A database restart, failover or network cut surfaces as ``OperationalError`` or
``InterfaceError``. Clients can't fix those and should come back shortly, so the API
answers 503 in the error shape and pages answer a 503 page, both with ``Retry-After``.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from rest_framework.views import set_rollback

from provisioning.api.errors import api_exception_handler, error_body

logger = logging.getLogger(__name__)

# Long enough for a database restart or failover to finish, short enough that clients
# come back soon after it does.
RETRY_AFTER_SECONDS = 15
DATABASE_ERRORS = (OperationalError, InterfaceError)
MESSAGE = "The service can't reach its database just now; retry after {seconds} seconds."


def database_unavailable(exc: BaseException) -> bool:
    """Return whether ``exc`` means the database is unreachable or refused the work."""
    return isinstance(exc, DATABASE_ERRORS)


def api_unavailable_response() -> JsonResponse:
    """Return the API's 503 answer."""
    body = error_body("database_unavailable", MESSAGE.format(seconds=RETRY_AFTER_SECONDS))
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_unavailable_response(request) -> HttpResponse:
    """Return the 503 page for browsers."""
    html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}, request=request)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable_response(request) -> HttpResponse:
    """Return the API's JSON answer under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        return api_unavailable_response()
    return page_unavailable_response(request)


def exception_handler(exc, context):
    """Answer database outages in API views with 503; anything else as the API always does."""
    if database_unavailable(exc):
        logger.warning("Database unavailable in %s: %s", context.get("view"), exc)
        set_rollback()
        return api_unavailable_response()
    return api_exception_handler(exc, context)
