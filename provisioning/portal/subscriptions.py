"""A member's own ways of hearing of an app's new rule versions: e-mail (each version, a
daily digest, or none) and a secret Atom feed URL for feed readers (shown once after it
is created or rotated; revocable).

Every change is a POST answered with a redirect (post/redirect/get: a reload never mints
another feed URL); a new URL waits in the server-side session for the next page only.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import SubscriptionMode
from accounts.selectors import user_app_get, user_feed_token, user_rule_subscription
from accounts.services.feed_tokens import feed_token_issue, feed_token_revoke
from accounts.services.subscriptions import rule_subscription_set

SESSION_KEY = "portal_new_feed_url"
NO_EMAIL = "none"


class SubscriptionForm(forms.Form):
    mode = forms.ChoiceField(
        label="E-mail me about new versions",
        choices=[(NO_EMAIL, "Never"), *SubscriptionMode.choices],
        widget=forms.RadioSelect,
    )


def _page(app):
    return redirect("portal_app_subscription", app_id=app.app_id)


def _new_feed_url_pop(request, app) -> str | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("app_id") != app.app_id:
        return None
    del request.session[SESSION_KEY]
    token = user_feed_token(user=request.user, app=app)
    # Shown only while it is still the member's active token.
    return stored["url"] if token is not None and token.pk == stored["pk"] else None


@login_required
@require_http_methods(["GET", "POST"])
def app_subscription(request, app_id):
    """Show and change the member's e-mail subscription and feed link of one app."""
    app = user_app_get(user=request.user, app_id=app_id)
    subscription = user_rule_subscription(user=request.user, app=app)
    current = subscription.mode if subscription else NO_EMAIL
    form = SubscriptionForm(request.POST or None, initial={"mode": current})
    if request.method == "POST" and form.is_valid():
        mode = form.cleaned_data["mode"]
        rule_subscription_set(user=request.user, app=app, mode=None if mode == NO_EMAIL else mode)
        messages.success(request, _subscription_message(mode, request.user.email))
        return _page(app)
    feed_path = reverse("api:rule-feed", kwargs={"app_id": app.app_id})
    response = render(
        request,
        "portal/app_subscription.html",
        {
            "app": app,
            "form": form,
            "feed_token": user_feed_token(user=request.user, app=app),
            "new_feed_url": _new_feed_url_pop(request, app),
            "api_feed_url": request.build_absolute_uri(feed_path),
            "feed_entries": settings.RULES_FEED_ENTRIES,
            "nav": "dashboard",
        },
        status=400 if form.errors else 200,
    )
    # A new feed URL is shown on this page once; keep every version out of caches.
    response["Cache-Control"] = "no-store"
    return response


def _subscription_message(mode: str, email: str) -> str:
    if mode == NO_EMAIL:
        return "You will get no more e-mails about this app's rule versions."
    if mode == SubscriptionMode.DAILY:
        return f"A daily digest of this app's new rule versions will go to {email}."
    return f"Each new rule version of this app will be e-mailed to {email}."


@login_required
@require_POST
def feed_token_issue_view(request, app_id):
    """Create the member's feed URL of the app (or a new one, ending the old)."""
    app = user_app_get(user=request.user, app_id=app_id)
    token, raw_token = feed_token_issue(user=request.user, app=app)
    path = reverse("rules_feed_token", kwargs={"app_id": app.app_id, "token": raw_token})
    request.session[SESSION_KEY] = {
        "app_id": app.app_id,
        "pk": token.pk,
        "url": request.build_absolute_uri(path),
    }
    messages.success(request, "New feed link created; any earlier one stopped working.")
    return _page(app)


@login_required
@require_POST
def feed_token_revoke_view(request, app_id):
    """Revoke the member's feed URL of the app at once."""
    app = user_app_get(user=request.user, app_id=app_id)
    if feed_token_revoke(user=request.user, app=app):
        messages.success(request, "Feed link revoked: feed readers using it get 404 now.")
    return _page(app)
