"""Customers see which rule set version SDKs are served and the one pending, and their
admins confirm that their firewall allows it ("our firewall allows version V"): the
version then reaches SDKs at once instead of at its effective date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import user_managed_app_get
from rules.choices import AcknowledgementSource
from rules.models import RuleSet
from rules.selectors import rule_set_in_effect, rule_set_pending
from rules.services.activation import rule_version_acknowledge


def activation_context(*, app) -> dict:
    """Return what the app page shows of the activation gate."""
    now = timezone.now()
    in_effect = rule_set_in_effect(app=app, now=now)
    return {
        "in_effect": in_effect.version if in_effect else None,
        "pending": rule_set_pending(app=app, now=now),
    }


@login_required
@require_POST
def rules_acknowledge(request, app_id, version):
    """Record that the customer's firewall allows ``version``; SDKs get it at once."""
    app = user_managed_app_get(user=request.user, app_id=app_id)
    try:
        rule_version_acknowledge(
            app, version, source=AcknowledgementSource.PORTAL, user=request.user
        )
    except RuleSet.DoesNotExist:
        raise Http404("No such rule set version.") from None
    messages.success(request, f"Thank you: SDKs are now given the addresses of version {version}.")
    return redirect(f"{reverse('portal_app_detail', args=[app.app_id])}#activation")
