"""Members subscribed to an app's rule versions get one e-mail per version (immediate) or
one a day listing every app that changed (daily digest); nobody else, and never twice."""

import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.choices import CustomerStatus, MembershipRole, SubscriptionMode
from accounts.models import Membership, SubscriptionNotice
from accounts.services.subscriptions import rule_subscription_set
from config.celery import app as celery_app
from config.schedule import beat_schedule
from core.models import OutboxMessage
from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.services import subscription_mail
from rules.services.subscription_mail import rule_digests_send, rule_set_notices_send
from tests.factories import AppFactory, CustomerFactory, MembershipFactory, UserFactory
from tests.rules.conftest import allocation_with

pytestmark = pytest.mark.django_db

TUESDAY = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://proxy.example.com"


def member_of(customer, *, email, role=MembershipRole.VIEWER):
    user = UserFactory(email=email)
    MembershipFactory(user=user, customer=customer, role=role)
    return user


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Acme Bank", contact_email="noc@acme.example")


@pytest.fixture
def teller(customer):
    return AppFactory(customer=customer, name="Teller video")


@pytest.fixture
def branch(customer):
    return AppFactory(customer=customer, name="Branch kiosk")


def publish(app, capture, addresses, kind=AllocationKind.TEST):
    allocation = allocation_with(app, addresses=addresses, kind=kind)
    with capture(execute=True):
        rule_set = app_rule_set_publish(app=app)
    return rule_set, allocation


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_a_new_version_mails_each_immediate_subscriber_once(
    customer, teller, django_capture_on_commit_callbacks
):
    ana = member_of(customer, email="ana@acme.example")
    ben = member_of(customer, email="ben@acme.example")
    member_of(customer, email="cy@acme.example")  # not subscribed
    rule_subscription_set(user=ana, app=teller, mode=SubscriptionMode.IMMEDIATE)
    rule_subscription_set(user=ben, app=teller, mode=SubscriptionMode.DAILY)

    rule_set, _ = publish(teller, django_capture_on_commit_callbacks, ["192.0.2.10"])

    [message] = mail.outbox
    assert message.to == ["ana@acme.example"]
    assert message.subject == (
        f"Firewall rules of Teller video: version {rule_set.version} (1 destination added)"
    )
    assert "+ added test TCP 192.0.2.10/32 ports 443,4000 (signalling)" in message.body
    assert "+ added test UDP 192.0.2.10/32 ports 3478-3500 (media)" in message.body
    assert f"In effect for SDKs since {rule_set.created_at:%Y-%m-%d %H:%M} UTC." in message.body
    assert links(message.body) == [
        f"https://proxy.example.com/apps/{teller.app_id}/#rules",
        f"https://proxy.example.com/api/v1/apps/{teller.app_id}/rules/changes/?since=0000000000",
        f"https://proxy.example.com/api/v1/apps/{teller.app_id}/rules/{rule_set.version}/?format=json",
        f"https://proxy.example.com/apps/{teller.app_id}/subscription/",
    ]
    queued = OutboxMessage.objects.get(task_name="rules.tasks.rule_set_notice_task")
    assert queued.kwargs == {"rule_set_id": rule_set.pk}
    # The task delivered again (a worker died before acknowledging it) sends nothing.
    assert rule_set_notices_send(rule_set_id=rule_set.pk) == 0
    assert len(mail.outbox) == 1


def test_no_subscriber_queues_nothing(teller, django_capture_on_commit_callbacks):
    publish(teller, django_capture_on_commit_callbacks, ["192.0.2.10"])

    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(task_name="rules.tasks.rule_set_notice_task")


def test_members_who_left_or_whose_customer_is_suspended_get_nothing(
    customer, teller, django_capture_on_commit_callbacks
):
    ana = member_of(customer, email="ana@acme.example")
    rule_subscription_set(user=ana, app=teller, mode=SubscriptionMode.IMMEDIATE)
    customer.status = CustomerStatus.SUSPENDED
    customer.save()
    publish(teller, django_capture_on_commit_callbacks, ["192.0.2.10"])
    assert mail.outbox == []

    customer.status = CustomerStatus.ACTIVE
    customer.save()
    Membership.objects.filter(user=ana).delete()
    publish(teller, django_capture_on_commit_callbacks, ["203.0.113.5"], AllocationKind.PRODUCTION)
    assert mail.outbox == []

    # Back in the team: the kept subscription works again.
    MembershipFactory(user=ana, customer=customer)
    teller.source_networks = ["10.1.0.0/16"]
    teller.save()
    with django_capture_on_commit_callbacks(execute=True):
        app_rule_set_publish(app=teller)
    assert [message.to for message in mail.outbox] == [["ana@acme.example"]]


def test_digest_lists_the_days_versions_of_every_app_once(
    customer, teller, branch, django_capture_on_commit_callbacks
):
    ana = member_of(customer, email="ana@acme.example")
    ben = member_of(customer, email="ben@acme.example")
    quiet = AppFactory(customer=customer, name="Quiet app")
    rule_subscription_set(user=ana, app=teller, mode=SubscriptionMode.DAILY)
    rule_subscription_set(user=ana, app=branch, mode=SubscriptionMode.DAILY)
    rule_subscription_set(user=ben, app=quiet, mode=SubscriptionMode.DAILY)
    with time_machine.travel(TUESDAY - timedelta(days=1), tick=False):
        publish(teller, django_capture_on_commit_callbacks, ["192.0.2.1"])  # Monday: not in it
    with time_machine.travel(TUESDAY, tick=False):
        allocation_with(teller, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
        second = app_rule_set_publish(app=teller)
        kiosk, _ = publish(branch, django_capture_on_commit_callbacks, ["198.51.100.7"])
    assert mail.outbox == []  # nobody asked for immediate e-mails

    with time_machine.travel(TUESDAY + timedelta(hours=15), tick=False):  # 00:30 Wednesday
        assert rule_digests_send() == {"day": "2026-11-24", "sent": 1}
    with time_machine.travel(TUESDAY + timedelta(hours=20), tick=False):  # a later run
        assert rule_digests_send() == {"day": "2026-11-24", "sent": 0}

    [digest] = mail.outbox
    assert digest.to == ["ana@acme.example"]
    assert digest.subject == "Firewall rule changes on 2026-11-24: 2 new versions in 2 apps"
    body = digest.body
    assert body.index("== Branch kiosk") < body.index("== Teller video")
    assert f"Version {kiosk.version}, published 09:30 UTC: 1 destination added." in body
    assert f"Version {second.version}, published 09:30 UTC after version 2026112301" in body
    assert "+ added production TCP 203.0.113.5/32 ports 443,4000 (signalling)" in body
    # Make-before-break: the new production address reaches SDKs three days later.
    assert "Pending: its new addresses reach SDKs at 2026-11-27 09:30 UTC, or sooner" in body
    assert "In effect for SDKs since 2026-11-24 09:30 UTC." in body  # the kiosk's test set
    assert "192.0.2.1/32" not in body  # Monday's version was in Monday's digest
    assert f"https://proxy.example.com/apps/{teller.app_id}/#rules" in links(body)
    assert (
        f"https://proxy.example.com/apps/{teller.app_id}/?since=2026112301#what-changed"
        in links(body)
    )
    notice = SubscriptionNotice.objects.get()
    assert notice.key == f"digest:2026-11-24:user:{ana.pk}"
    assert notice.versions == [[branch.app_id, kiosk.version], [teller.app_id, second.version]]

    with time_machine.travel(TUESDAY + timedelta(days=1, hours=15), tick=False):
        assert rule_digests_send() == {"day": "2026-11-25", "sent": 0}  # nothing changed
    assert len(mail.outbox) == 1


def test_digest_skips_members_who_left(customer, teller, django_capture_on_commit_callbacks):
    ana = member_of(customer, email="ana@acme.example")
    rule_subscription_set(user=ana, app=teller, mode=SubscriptionMode.DAILY)
    with time_machine.travel(TUESDAY, tick=False):
        publish(teller, django_capture_on_commit_callbacks, ["192.0.2.1"])
    Membership.objects.filter(user=ana).delete()

    with time_machine.travel(TUESDAY + timedelta(days=1), tick=False):
        assert rule_digests_send()["sent"] == 0
    assert mail.outbox == []


def test_the_digest_job_is_scheduled_and_registered():
    job = beat_schedule()["rule-digests"]

    assert job["task"] == "rules.tasks.rule_digests_task"
    assert job["task"] in celery_app.tasks
    assert "rules.tasks.rule_set_notice_task" in celery_app.tasks


def test_a_refused_address_does_not_hold_up_the_others(
    customer, teller, django_capture_on_commit_callbacks, monkeypatch
):
    ana = member_of(customer, email="ana@acme.example")
    ben = member_of(customer, email="ben@acme.example")
    for user in (ana, ben):
        rule_subscription_set(user=user, app=teller, mode=SubscriptionMode.DAILY)
    with time_machine.travel(TUESDAY, tick=False):
        publish(teller, django_capture_on_commit_callbacks, ["192.0.2.1"])
    real_send = subscription_mail.send_mail

    def refuse_ana(subject, body, sender, recipients):
        if recipients == ["ana@acme.example"]:
            raise smtplib.SMTPRecipientsRefused({"ana@acme.example": (550, b"no such user")})
        return real_send(subject, body, sender, recipients)

    monkeypatch.setattr(subscription_mail, "send_mail", refuse_ana)
    with time_machine.travel(TUESDAY + timedelta(days=1), tick=False):
        assert rule_digests_send()["sent"] == 1
    assert [message.to for message in mail.outbox] == [["ben@acme.example"]]

    monkeypatch.setattr(subscription_mail, "send_mail", real_send)  # the address works again
    with time_machine.travel(TUESDAY + timedelta(days=1, hours=1), tick=False):
        assert rule_digests_send()["sent"] == 1
    assert [message.to for message in mail.outbox] == [["ben@acme.example"], ["ana@acme.example"]]
