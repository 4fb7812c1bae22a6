"""E-mail ops when a customer's network fails a connectivity check of a live rule set
version: once per app and version, whatever the number of failing reports."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.constants import OPS_GROUP
from accounts.selectors import staff_group_emails
from provisioning.models import ConnectivityAlert, ConnectivityReport
from provisioning.selectors.connectivity import rule_set_is_live

logger = logging.getLogger(__name__)


def connectivity_alert_send(*, report_id: int) -> bool:
    """E-mail ops about a failing report on a live version, unless they were e-mailed
    about that app and version before; return whether an e-mail went out.

    The alert row is claimed before the e-mail is sent, in one transaction: a failed send
    rolls the claim back so that a retry (or the next failing report) tries again."""
    report = ConnectivityReport.objects.select_related("app__customer", "rule_set").get(
        pk=report_id
    )
    if report.passed or not rule_set_is_live(rule_set=report.rule_set):
        return False
    try:
        with transaction.atomic():
            ConnectivityAlert.objects.create(
                app=report.app, rule_set=report.rule_set, report=report
            )
            return _mail(report)
    except IntegrityError:
        return False


def _mail(report: ConnectivityReport) -> bool:
    recipients = staff_group_emails(group_name=OPS_GROUP)
    if not recipients:
        logger.warning(
            "App %s failed a connectivity check, but no ops user has an e-mail address.",
            report.app.app_id,
        )
        return False
    blocked = report.results.exclude(outcome="reachable").order_by("destination", "port")
    context = {
        "report": report,
        "app": report.app,
        "blocked": blocked[:50],
        "path": reverse("admin:accounts_app_change", args=[report.app.pk]),
    }
    subject = render_to_string("email/connectivity_failed_subject.txt", context)
    body = render_to_string("email/connectivity_failed.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, recipients)
    return True
