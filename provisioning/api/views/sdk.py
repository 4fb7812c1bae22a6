"""The SDK's public endpoint: ``GET /api/v1/sdk/proxy-config``.

It is the one endpoint every SDK session calls, so GET skips DRF's per-request machinery
(request wrapping, negotiation, authentication) and, through
``config.middleware.SdkEndpointMiddleware``, URL resolution and the middleware that do
nothing for it: any of them would cost more than the rest of a cached answer. That
middleware also sends the request's cache round trip before the rest runs. DRF still
documents it, answers the other methods, and every error goes through the API's one
exception handler.
"""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.api.docs import IF_NONE_MATCH, error_responses
from provisioning.api.errors import api_exception_response
from provisioning.api.serializers.sdk import SdkProxyConfigSerializer
from provisioning.api.unavailable import api_unavailable_response, database_unavailable
from provisioning.choices import SdkMode
from provisioning.sdk import sdk_proxy_config, sdk_proxy_config_send

PROXY_CONFIG_SCHEMA = extend_schema(
    operation_id="sdk_proxy_config",
    tags=["sdk"],
    summary="Proxy servers and TURN credentials for an app",
    description=(
        "Called by SDKs before joining a channel. When the app's certificate is enabled, "
        "send an app token as `Authorization: Bearer <token>`. Answers carry an ETag; "
        "send it back in If-None-Match to get 304 while the config is unchanged. "
        "Failed attempts are throttled per App ID and client address, answers per App ID "
        "(429 with Retry-After). While the database can't be reached, the last config known "
        "is served with fresh credentials and `X-Proxy-Config-Stale: 1`, or 503. "
        "Error codes: invalid_app_id, invalid_mode (400); token_required, token_invalid, "
        "token_expired (401); app_disabled (403); unknown_app, no_proxy_service (404)."
    ),
    parameters=[
        OpenApiParameter("app_id", OpenApiTypes.STR, required=True, description="App ID."),
        OpenApiParameter(
            "mode", OpenApiTypes.STR, enum=SdkMode.values, description="Default: auto."
        ),
        IF_NONE_MATCH,
    ],
    responses={
        200: SdkProxyConfigSerializer,
        304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
        **error_responses(
            400,
            401,
            403,
            404,
            429,
            e400="invalid_app_id or invalid_mode.",
            e401="token_required, token_invalid or token_expired.",
            e403="app_disabled.",
            e404="unknown_app or no_proxy_service.",
        ),
    },
    # The app token is needed only when the app's certificate is enabled.
    auth=[{"AppToken": []}, {}],
)


STALE_HEADER = "X-Proxy-Config-Stale"
# Longest query string read without QueryDict: an SDK's is about 60 characters, and a long
# one may hold more fields than QueryDict allows (DATA_UPLOAD_MAX_NUMBER_FIELDS).
PLAIN_QUERY_MAX = 256
_idents = BaseThrottle()


def query_parameters(request) -> dict[str, str]:
    """Return the query string's parameters as ``request.GET.get`` gives them (a repeated
    name's last value). An SDK's query is short, plain ASCII without escapes: split here,
    it costs a ninth of parsing a QueryDict, which takes every other query."""
    query = request.META.get("QUERY_STRING", "")
    if len(query) > PLAIN_QUERY_MAX or "%" in query or "+" in query or not query.isascii():
        return {name: request.GET.get(name) for name in request.GET}
    return dict(part.partition("=")[::2] for part in query.split("&") if part)


def client_ip(request) -> str:
    """Return the client address as the API's settings trust it (NUM_PROXIES): without an
    X-Forwarded-For header it is REMOTE_ADDR whatever they say."""
    if "HTTP_X_FORWARDED_FOR" not in request.META:
        return request.META.get("REMOTE_ADDR", "")
    return _idents.get_ident(request)


def proxy_config_send(request) -> None:
    """Send the cache round trip of a GET that came the short way before its middleware run,
    so the cache answers meanwhile; ``sdk_proxy_config_done`` once it is answered."""
    try:
        app_id = query_parameters(request).get("app_id", "")
    except Exception:  # e.g. too many fields: answered as an error where the view parses it
        return
    sdk_proxy_config_send(app_id=app_id, client_ip=client_ip(request))


def proxy_config_response(request, *, view=None) -> HttpResponse:
    """Answer a GET of the proxy config: throttle, read, and render or answer 304."""
    try:
        query = query_parameters(request)
        config = sdk_proxy_config(
            app_id=query.get("app_id", ""),
            mode=query.get("mode") or SdkMode.AUTO,
            authorization=request.META.get("HTTP_AUTHORIZATION", ""),
            client_ip=client_ip(request),
        )
    except Exception as exc:  # the API's one handler maps every error, unexpected ones too
        if database_unavailable(exc):
            return api_unavailable_response()
        return api_exception_response(exc, request=request, view=view)
    response = HttpResponse(config.content, content_type="application/json")
    if config.stale:
        response[STALE_HEADER] = "1"
    response["ETag"] = config.etag
    response["Cache-Control"] = f"private, max-age={config.max_age}"
    response["Vary"] = "Authorization"
    return get_conditional_response(request, etag=config.etag, response=response)


def proxy_config_get(request) -> HttpResponse:
    """Answer a GET that came the short way (``SdkEndpointMiddleware``): check the host and
    set the length as CommonMiddleware would on the usual way."""
    request.get_host()  # DisallowedHost: 400, as on every other path
    response = proxy_config_response(request)
    if not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response


@extend_schema_view(get=PROXY_CONFIG_SCHEMA)
class SdkProxyConfigView(APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET":
            return proxy_config_response(request, view=self)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        """Serve GET when DRF dispatches it (dispatch() answers GET before DRF wraps it)."""
        return proxy_config_response(request._request, view=self)
