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
