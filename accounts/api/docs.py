"""Helpers to document error answers in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.errors import ErrorSerializer

DESCRIPTIONS = {
    400: "Invalid input (code `invalid`, with `fields`), or a refused domain change.",
    401: "Not authenticated, or the API key is unknown, revoked or expired.",
    403: "Authenticated but not allowed (missing scope, or staff only).",
    404: "Not found, or not yours.",
    405: "Method not allowed.",
    409: "Conflict.",
    429: "Too many requests; see Retry-After.",
}

NUL_REFUSED = "A NUL byte in the path, a query parameter or a header (code `bad_request`)."
UNSUPPORTED_MEDIA_TYPE = (
    "The body's media type is none of those listed (code `unsupported_media_type`)."
)
ERROR_SCHEMA_REF = "#/components/schemas/Error"

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag from an earlier answer; 304 when it still matches.",
)


def error_responses(*statuses: int, **described: str) -> dict[int, OpenApiResponse]:
    """Return schema responses for error ``statuses``; ``described`` overrides descriptions
    (keys like ``e404``)."""
    return {
        code: OpenApiResponse(
            ErrorSerializer, description=described.get(f"e{code}", DESCRIPTIONS.get(code, ""))
        )
        for code in statuses
    }


def _error_answer(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ERROR_SCHEMA_REF}}},
    }


def document_refused_input(result, generator, request, public):
    """Document the answers any operation can give before its view runs.

    A NUL byte in the path, a query parameter or a header is 400 for every operation
    (``config.middleware.RejectNulMiddleware``); a body in a media type the operation
    doesn't list is 415 (the REST framework's parsers). Registered in
    ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _error_answer(NUL_REFUSED))
            if "requestBody" in operation:
                responses.setdefault("415", _error_answer(UNSUPPORTED_MEDIA_TYPE))
            operation["responses"] = dict(sorted(responses.items()))
    return result


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Customer API key: `Authorization: Api-Key <key>`.",
        }


class StaffBasicAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.StaffBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Staff accounts only (scripts); customers use an API key.",
        }
