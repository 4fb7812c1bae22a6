"""E-mail a customer's admins, once, that a webhook endpoint was disabled for failing."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from webhooks.models import WebhookEndpoint
from webhooks.selectors import customer_admin_emails
from webhooks.services.payloads import absolute_url


@transaction.atomic
def webhook_disabled_notice_send(*, endpoint_id: int) -> int:
    """Tell the admins of the endpoint's customer that it was disabled; return how many
    e-mails went out (0 when already told, or re-enabled meanwhile).

    The claim and the sending share a transaction: a failed send leaves no claim, so the
    task's retry sends it; a claimed notice is never sent twice.
    """
    claimed = WebhookEndpoint.objects.filter(
        pk=endpoint_id, enabled=False, disabled_for_failures=True, disabled_notice_sent_at=None
    ).update(disabled_notice_sent_at=timezone.now())
    if not claimed:
        return 0
    endpoint = WebhookEndpoint.objects.select_related("app__customer").get(pk=endpoint_id)
    recipients = customer_admin_emails(customer=endpoint.app.customer)
    if not recipients:
        return 0
    context = {
        "endpoint": endpoint,
        "app": endpoint.app,
        "portal_url": absolute_url("portal_webhooks", endpoint.app.app_id),
        "deliveries": endpoint.deliveries.order_by("-created_at", "-pk")[:5],
    }
    subject = render_to_string("email/webhook_disabled_subject.txt", context)
    body = render_to_string("email/webhook_disabled.txt", context)
    return send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)
