"""E-mail a customer's admins when their proxy sets go live, change or are about to end.

A notice is checked against the allocation when it is sent, not when it was queued: a set
revoked or ended in between gets no "live", "changed" or "ending" e-mail.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.choices import MembershipRole
from core.queue import enqueue_on_commit
from provisioning.choices import (
    SERVED_REQUEST_STATUSES,
    AllocationKind,
    AllocationStatus,
    PortPurpose,
)
from provisioning.models import Allocation, SentNotice
from provisioning.services.webhook_events import test_set_expiring_emit

logger = logging.getLogger(__name__)

NOTICE_LIVE = "live"
NOTICE_RESIZED = "resized"
NOTICE_EXPIRING = "expiring"
NOTICES = (NOTICE_LIVE, NOTICE_RESIZED, NOTICE_EXPIRING)
NOTICE_TASK = "provisioning.tasks.allocation_notice_task"

# Reminders before a set ends: a week to plan the firewall change, and a last call.
REMINDER_DAYS = (7, 1)


def customer_recipients(*, customer) -> list[str]:
    """Return the e-mail addresses of the customer's admins and its contact address."""
    admins = customer.memberships.filter(role=MembershipRole.ADMIN).exclude(user__email="")
    addresses = [customer.contact_email, *admins.values_list("user__email", flat=True)]
    return sorted({address.strip().lower() for address in addresses if address})


def _endpoint_lines(endpoints) -> list[str]:
    lines = []
    for endpoint in endpoints:
        for port in endpoint.ports:
            start, end = port["port_start"], port["port_end"]
            ports = str(start) if start == end else f"{start}-{end}"
            purpose = PortPurpose(port["purpose"]).label if port["purpose"] else ""
            lines.append(
                f"{endpoint.address:<40} {port['protocol'].upper():<4} {ports:<12} {purpose}"
            )
    return lines


def _context(allocation: Allocation, **extra) -> dict:
    request = allocation.request
    live = allocation.endpoints.filter(live=True).order_by("-role", "address_key")
    live_sets = {a.kind: a for a in request.allocations.live()}
    return {
        "allocation": allocation,
        "kind": allocation.get_kind_display().lower(),
        "app": request.app,
        "request": request,
        "lines": _endpoint_lines(live),
        "production": live_sets.get(AllocationKind.PRODUCTION),
        "test_set": live_sets.get(AllocationKind.TEST),
        **extra,
    }


def allocation_notice_holds(
    *, allocation: Allocation, notice: str, days: int | None = None, now: datetime | None = None
) -> bool:
    """Return whether what ``notice`` says about ``allocation`` is still true now.

    "live" and "resized" say the set is active and served; "expiring" says it ends
    within ``days``.
    """
    if allocation.status != AllocationStatus.ACTIVE:
        return False
    if notice == NOTICE_EXPIRING:
        now = now or timezone.now()
        ends = allocation.expires_at
        return ends is not None and now < ends <= now + timedelta(days=days or 0)
    return allocation.request.status in SERVED_REQUEST_STATUSES


def allocation_notice_send(
    *, allocation: Allocation, notice: str, added=(), removed=(), days: int | None = None
) -> int:
    """Send one notice about ``allocation``; return how many e-mails went out.

    Nothing is sent (0) when the notice is no longer true.
    """
    if notice not in NOTICES:
        raise ValueError(f"Unknown notice {notice!r}; expected one of {', '.join(NOTICES)}.")
    if not allocation_notice_holds(allocation=allocation, notice=notice, days=days):
        logger.info(
            "Not sending the %s notice for allocation #%s (%s, request %s): no longer true.",
            notice,
            allocation.pk,
            allocation.status,
            allocation.request.status,
        )
        return 0
    customer = allocation.request.app.customer
    recipients = customer_recipients(customer=customer)
    if not recipients:
        return 0
    added_rows = allocation.endpoints.filter(address__in=list(added)).order_by("address_key")
    removed_rows = allocation.endpoints.filter(address__in=list(removed)).order_by("address_key")
    context = _context(
        allocation,
        added=_endpoint_lines(added_rows.filter(live=True)),
        removed=_endpoint_lines(removed_rows.filter(live=False)),
        days=days,
    )
    subject = render_to_string(f"email/allocation_{notice}_subject.txt", context)
    body = render_to_string(f"email/allocation_{notice}.txt", context)
    return send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)


@transaction.atomic
def allocation_notice_deliver(
    *, allocation: Allocation, notice: str, key: str, added=(), removed=()
) -> int:
    """Send a notice once per ``key``; return how many e-mails went out (0 the second time).

    The claim and the sending share a transaction: a failed send leaves no claim, so a
    retry sends it; a key already claimed sends nothing. The allocation is re-read under
    a row lock, so a release or revocation either came first (nothing is sent) or waits
    until the e-mail is out.
    """
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("request__app__customer")
        .get(pk=allocation.pk)
    )
    claim, created = SentNotice.objects.get_or_create(
        key=key, defaults={"allocation": allocation, "notice": notice}
    )
    if not created:
        return 0
    claim.recipients = allocation_notice_send(
        allocation=allocation, notice=notice, added=added, removed=removed
    )
    claim.save(update_fields=["recipients"])
    return claim.recipients


def allocation_notice_queue(*, allocation: Allocation, notice: str, added=(), removed=()) -> None:
    """Send a notice by task once the current transaction commits."""
    kwargs = {
        "allocation_id": allocation.pk,
        "notice": notice,
        "added": list(added),
        "removed": list(removed),
    }
    enqueue_on_commit(NOTICE_TASK, kwargs=kwargs)


def _reminder_claim(*, allocation_id: int, days: int) -> bool:
    """Mark the ``days`` reminder as sent; False when it (or a later one) already was."""
    unsent = Q(last_reminder_days__isnull=True) | Q(last_reminder_days__gt=days)
    claimed = Allocation.objects.filter(unsent, pk=allocation_id).update(last_reminder_days=days)
    return claimed == 1


def allocation_reminders_send(*, now: datetime | None = None) -> int:
    """Remind customers of sets ending within 7 days and within 1 day; return e-mails sent.

    Each reminder is claimed with a conditional update first, so concurrent or repeated
    runs never send the same reminder twice.
    """
    now = now or timezone.now()
    sent = 0
    for days in sorted(REMINDER_DAYS):
        ending = Allocation.objects.live().filter(
            expires_at__gt=now, expires_at__lte=now + timedelta(days=days)
        )
        due = ending.filter(Q(last_reminder_days__isnull=True) | Q(last_reminder_days__gt=days))
        for allocation in due.select_related("request__app__customer"):
            if _reminder_claim(allocation_id=allocation.pk, days=days):
                if allocation_notice_holds(
                    allocation=allocation, notice=NOTICE_EXPIRING, days=days, now=now
                ):
                    test_set_expiring_emit(allocation=allocation, days=days)
                sent += allocation_notice_send(
                    allocation=allocation, notice=NOTICE_EXPIRING, days=days
                )
    return sent
