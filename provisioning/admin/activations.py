"""Staff bring a request's pending rule set versions forward, with a reason (audited): the
version's new addresses then reach SDKs at the new date instead of the announced one."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from provisioning.models import ProvisioningRequest
from rules.constants import SHORTEN_REASON_MAX_LENGTH
from rules.models import RuleSetActivation
from rules.selectors import rule_set_pending_list
from rules.services.activation import rule_set_activation_shorten


class ShortenForm(forms.Form):
    hours = forms.FloatField(
        min_value=0, max_value=24 * 365, help_text="From now; 0 puts it in effect at once."
    )
    reason = forms.CharField(max_length=SHORTEN_REASON_MAX_LENGTH)


def request_pending_activations(*, request: ProvisioningRequest) -> list[RuleSetActivation]:
    """Return the pending versions of the request's app, oldest first."""
    return list(rule_set_pending_list(app=request.app, now=timezone.now()))


def activation_shorten_view(modeladmin, request, object_id):
    """Bring the request's pending versions forward and come back to its page."""
    provisioning_request = get_object_or_404(ProvisioningRequest, pk=object_id)
    if not modeladmin.has_change_permission(request, provisioning_request):
        raise Http404("No such action.")
    back = reverse("admin:provisioning_provisioningrequest_change", args=[object_id])
    form = ShortenForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        modeladmin.message_user(request, f"Not brought forward: {errors}", messages.ERROR)
        return HttpResponseRedirect(f"{back}#activations")
    effective_at = timezone.now() + timedelta(hours=form.cleaned_data["hours"])
    try:
        changed = rule_set_activation_shorten(
            app=provisioning_request.app,
            effective_at=effective_at,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(f"{back}#activations")
    versions = ", ".join(activation.rule_set.version for activation in changed) or "none"
    modeladmin.message_user(
        request,
        f"Brought forward to {effective_at:%Y-%m-%d %H:%M} UTC: {versions}.",
        messages.SUCCESS if changed else messages.WARNING,
    )
    return HttpResponseRedirect(f"{back}#activations")
