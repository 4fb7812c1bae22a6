"""The ops queue: one admin page of what waits on ops (linked from the admin index)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts.permissions import Ability, refusal, staff_may
from provisioning.selectors.ops_queue import ops_queue


def ops_queue_view(request):
    """Show the requests waiting on ops, failed actions, test sets ending within a week and
    pools under their low-water mark; for staff who may approve requests (ops)."""
    if not staff_may(user=request.user, ability=Ability.OPS_QUEUE_VIEW):
        raise PermissionDenied(refusal(Ability.OPS_QUEUE_VIEW, doing="see the ops queue"))
    context = {
        **admin.site.each_context(request),
        "title": "Ops queue",
        "queue": ops_queue(now=timezone.now()),
    }
    return TemplateResponse(request, "admin/provisioning/ops_queue.html", context)
