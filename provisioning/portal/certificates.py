"""Customer admins rotate an app's certificate: generate a secondary (shown once), promote
it to primary (the old primary stays valid as the secondary), remove the secondary.

Every change is a POST answered with a redirect to the app page (post/redirect/get: a
reload never generates another certificate). A new secret waits in the server-side session
and is shown by the next app page only, which is never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import user_managed_app_get
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)

SESSION_KEY = "portal_new_certificate"


def new_certificate_pop(*, request, app) -> str | None:
    """Return the secondary certificate just generated for ``app`` once, else None."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("app_id") != app.app_id:
        return None
    del request.session[SESSION_KEY]
    # Shown only while it is still the app's secondary (not promoted or removed meanwhile).
    return stored["secret"] if stored["secret"] == app.secondary_certificate else None


def _back_to_app(app):
    return redirect(f"{reverse('portal_app_detail', args=[app.app_id])}#certificates")


def _report(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def secondary_generate(request, app_id):
    """Generate the app's secondary certificate and show it once on the app page."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    try:
        secret = app_secondary_certificate_generate(app=app, actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        request.session[SESSION_KEY] = {"app_id": app.app_id, "secret": secret}
        messages.success(
            request,
            f"Secondary certificate {app.secondary_certificate_fingerprint} generated. Tokens "
            "signed with either certificate are accepted.",
        )
    return _back_to_app(app)


@login_required
@require_POST
def secondary_promote(request, app_id):
    """Make the secondary certificate the primary; the old primary becomes the secondary."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    try:
        app_secondary_certificate_promote(app=app, actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(
            request,
            f"Certificate {app.certificate_fingerprint} is now the primary; "
            f"{app.secondary_certificate_fingerprint} stays valid as the secondary until you "
            "remove it.",
        )
    return _back_to_app(app)


@login_required
@require_POST
def secondary_remove(request, app_id):
    """Remove the secondary certificate: tokens signed with it are refused from now on."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    try:
        fingerprint = app_secondary_certificate_remove(app=app, actor=request.user)
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(
            request, f"Secondary certificate {fingerprint} removed; its tokens are refused."
        )
    return _back_to_app(app)
