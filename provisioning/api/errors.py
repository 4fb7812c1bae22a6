"""One error shape for the whole API: ``{"code", "message", "fields"?}``."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import ErrorSerializer as ErrorSerializer
from core.errors import error_body
from provisioning.exceptions import (
    IllegalTransition,
    PoolExhausted,
    ProvisioningError,
    SdkConfigError,
    SdkThrottled,
)
from rules.exceptions import RuleExportFailed, RulesError

logger = logging.getLogger(__name__)
MALFORMED = "The request was refused as malformed (for example, too many parameters)."

# Code and status of domain errors raised by services; any other validation error a service
# raises is 400 "invalid". An export that can't be rendered is a conflict with the stored
# rule set, not the caller's fault.
DOMAIN_ERRORS = (
    (RuleExportFailed, "export_failed", status.HTTP_409_CONFLICT),
    (IllegalTransition, "illegal_transition", status.HTTP_400_BAD_REQUEST),
    (PoolExhausted, "pool_exhausted", status.HTTP_400_BAD_REQUEST),
    (ProvisioningError, "provisioning_error", status.HTTP_400_BAD_REQUEST),
    (RulesError, "provisioning_error", status.HTTP_400_BAD_REQUEST),
)
# Status of each error code of the SDK endpoint (its contract in DESIGN.md); the app-token
# codes are those of accounts.services.app_tokens. A code missing here is the caller's: 400.
SDK_ERROR_STATUSES = {
    "invalid_app_id": status.HTTP_400_BAD_REQUEST,
    "invalid_mode": status.HTTP_400_BAD_REQUEST,
    "token_required": status.HTTP_401_UNAUTHORIZED,
    "token_invalid": status.HTTP_401_UNAUTHORIZED,
    "token_expired": status.HTTP_401_UNAUTHORIZED,
    "app_disabled": status.HTTP_403_FORBIDDEN,
    "unknown_app": status.HTTP_404_NOT_FOUND,
    "no_proxy_service": status.HTTP_404_NOT_FOUND,
    "throttled": status.HTTP_429_TOO_MANY_REQUESTS,
}
# A readable message for DRF's own exceptions, keyed by their default code.
MESSAGES = {
    "not_found": "Not found.",
    "invalid": "The request is not valid; see the fields for details.",
}


def _flatten(detail) -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{field: [messages]}`` with dotted field names."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, child in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), child)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, child in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), child)
        else:
            items = value if isinstance(value, list) else [value]
            fields.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in items)

    walk("", detail)
    return fields


def _django_validation_error(exc: DjangoValidationError) -> Response:
    code, http_status = next(
        ((c, st) for cls, c, st in DOMAIN_ERRORS if isinstance(exc, cls)),
        ("invalid", status.HTTP_400_BAD_REQUEST),
    )
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field_errors" if key == "__all__" else key): messages
            for key, messages in exc.message_dict.items()
        }
        message = " ".join(m for messages in fields.values() for m in messages)
        return Response(error_body(code, message, fields), status=http_status)
    return Response(error_body(code, " ".join(exc.messages)), status=http_status)


def api_exception_handler(exc, context):
    """Render any exception raised in an API view in the error shape."""
    if isinstance(exc, SdkConfigError):
        http_status = SDK_ERROR_STATUSES.get(exc.code, status.HTTP_400_BAD_REQUEST)
        response = Response(error_body(exc.code, exc.message), status=http_status)
        if isinstance(exc, SdkThrottled):
            response["Retry-After"] = str(exc.wait)
        return response
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return _django_validation_error(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a disallowed host...
        # Logged where Django logs these; the answer is 400, as Django's own.
        logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
        exc = exceptions.ParseError(MALFORMED)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.error("Unhandled error in %s", context.get("view"), exc_info=exc)
        set_rollback()
        return Response(
            error_body("server_error", "An unexpected error occurred; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("invalid", MESSAGES["invalid"], fields)
        return response
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    detail = exc.detail if isinstance(exc.detail, str) else MESSAGES.get(code, str(exc.detail))
    response.data = error_body(code, str(detail))
    return response


def api_exception_response(exc: Exception, *, request, view) -> JsonResponse:
    """Answer ``exc`` in the error shape, mapped by api_exception_handler, for a view that
    answers without DRF's request handling (the SDK endpoint's GET)."""
    response = api_exception_handler(exc, {"request": request, "view": view})
    answer = JsonResponse(response.data, status=response.status_code)
    for header in ("Retry-After", "WWW-Authenticate"):
        if header in response:
            answer[header] = response[header]
    return answer


@csrf_exempt  # a POST to an unknown path is 404, not a CSRF failure page
def api_not_found(request, *args, **kwargs):
    """Answer an unknown path under /api/ in the error shape."""
    return JsonResponse(error_body("not_found", "No API endpoint at this path."), status=404)
