"""The Atom feed of an app's rule versions: with an API key (or a portal session), and at
a secret URL for feed readers that cannot send headers."""

from hashlib import sha256
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation

from accounts.api.docs import IF_NONE_MATCH, error_responses
from accounts.choices import ApiKeyScope
from accounts.services.feed_tokens import FeedTokenRejected, feed_token_app
from rules.api.views import RulesView
from rules.feed import ATOM_CONTENT_TYPE, feed_render
from rules.selectors import rule_set_feed


class AnyAccept(BaseContentNegotiation):
    """Answer in the view's first renderer whatever the client accepts: the feed itself is
    Atom, and errors are JSON, even to a reader that asks only for Atom."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def feed_response(request, app) -> HttpResponse:
    """Render ``app``'s feed for ``request``, with an ETag (304 when it still matches)."""
    body = feed_render(
        app=app,
        versions=rule_set_feed(app=app, limit=settings.RULES_FEED_ENTRIES),
        absolute=request.build_absolute_uri,
        self_url=request.build_absolute_uri(),
        tag_authority=urlsplit(settings.PUBLIC_BASE_URL).hostname,
    )
    etag = f'"{sha256(body.encode()).hexdigest()}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type=ATOM_CONTENT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


@extend_schema(tags=["rules"])
class RuleFeedView(RulesView):
    accepted_scopes = (ApiKeyScope.READ, ApiKeyScope.RULES)
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="rules_feed",
        summary="Atom feed of the app's last rule versions and what each changed",
        description="An Atom 1.0 document (RFC 4287): one entry per version, newest first "
        "(the last `RULES_FEED_ENTRIES`), with the changes as text and links to the changes "
        "and the rule files. Scope `read` or `rules`. Feed readers that cannot send an API "
        "key use the secret feed URL from the portal (`/feeds/apps/{app_id}/{token}.atom`).",
        parameters=[IF_NONE_MATCH],
        responses={
            (200, "application/atom+xml"): OpenApiResponse(
                OpenApiTypes.STR, description="The Atom feed."
            ),
            304: OpenApiResponse(description="Not modified."),
            **error_responses(401, 403, 404, 429, e404="Not yours, or no such app."),
        },
    )
    def get(self, request, app_id):
        return feed_response(request, self.get_app())


@require_GET
def feed_by_token(request, app_id, token):
    """Serve an app's feed to whoever holds a member's feed token (404 otherwise)."""
    try:
        app = feed_token_app(app_id=app_id, raw_token=token)
    except FeedTokenRejected:
        raise Http404("No such feed.") from None
    return feed_response(request, app)
