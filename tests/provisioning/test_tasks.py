"""Celery tasks: idempotent, retried on transient errors, results stored; e-mail notices."""

from datetime import timedelta

import pytest
import time_machine
from celery import current_app
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from django_celery_results.models import TaskResult

from provisioning import tasks
from provisioning.choices import AllocationStatus, RequestStatus
from provisioning.exceptions import IllegalTransition, PoolExhausted
from provisioning.models import Allocation, Region
from provisioning.services.actions import request_action_enqueue
from provisioning.services.allocation.expiry import allocation_release
from provisioning.services.lifecycle import (
    request_allocate_test,
    request_approve,
    request_revoke,
    request_suspend,
)
from provisioning.services.notifications import allocation_notice_send
from provisioning.services.pools import excluded_address_add
from tests.factories import (
    ProxyPoolFactory,
    customer_admin,
    request_for,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    return region


def test_the_same_allocation_tasks_run_twice_change_nothing_the_second_time(na):
    request = request_for(regions=[na], concurrency=100)

    allocate_test = {"request_id": request.pk, "action": "allocate-test"}
    approve = {"request_id": request.pk, "action": "approve"}

    first_test = tasks.request_action_task.apply(kwargs=allocate_test).get()
    again_test = tasks.request_action_task.apply(kwargs=allocate_test).get()
    first = tasks.request_action_task.apply(kwargs=approve).get()
    events = request.events.count()
    again = tasks.request_action_task.apply(kwargs=approve).get()

    assert (first_test["unchanged"], again_test["unchanged"]) == (False, True)
    assert (first["unchanged"], again["unchanged"]) == (False, True)
    assert again["status"] == RequestStatus.ACTIVE
    assert request.events.count() == events
    live = Allocation.objects.filter(request=request, status=AllocationStatus.ACTIVE)
    assert sorted(live.values_list("kind", flat=True)) == ["production", "test"]


def test_an_action_that_was_never_done_still_fails_in_the_task(na):
    request = request_for(regions=[na], concurrency=100)

    with pytest.raises(IllegalTransition):
        tasks.request_action_task.apply(kwargs={"request_id": request.pk, "action": "resume"}).get()


def test_transient_database_errors_are_retried(na, monkeypatch):
    request = request_for(regions=[na], concurrency=100)
    real = tasks.request_action_run
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["action"])
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "request_action_run", flaky)

    result = tasks.request_action_task.apply(
        kwargs={"request_id": request.pk, "action": "allocate-test"}, throw=False
    )

    assert result.successful()
    assert calls == ["allocate-test", "allocate-test"]
    request.refresh_from_db()
    assert request.status == RequestStatus.TESTING


def test_tasks_ack_late_and_requeue_when_the_worker_is_lost():
    for task in (
        tasks.expire_allocations_task,
        tasks.allocation_reminders_task,
        tasks.allocation_notice_task,
        tasks.request_action_task,
    ):
        assert task.acks_late and task.reject_on_worker_lost, task.name


def test_enqueue_refuses_an_illegal_action_before_queuing(na, django_capture_on_commit_callbacks):
    request = request_for(regions=[na], concurrency=100)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(IllegalTransition, match="is submitted"),
    ):
        request_action_enqueue(request=request, action="suspend")

    assert callbacks == []


def test_enqueue_runs_the_action_after_commit_and_stores_its_result(
    na, django_capture_on_commit_callbacks
):
    staff = staff_member("ops")
    request = request_for(regions=[na], concurrency=100)

    with django_capture_on_commit_callbacks(execute=True):
        task_id = request_action_enqueue(request=request, action="approve", actor=staff)
        request.refresh_from_db()
        assert request.status == RequestStatus.SUBMITTED  # nothing runs before commit

    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    assert request.events.last().actor == staff
    result = TaskResult.objects.get(task_id=task_id)
    assert result.status == "SUCCESS"
    assert result.task_name == "provisioning.tasks.request_action_task"


def test_a_failed_action_is_visible_in_the_task_result(
    reference_data, django_capture_on_commit_callbacks
):
    na = Region.objects.get(code="na")
    pool = ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[na], concurrency=1000)  # 10 + 1 spare addresses

    with django_capture_on_commit_callbacks() as queued:
        task_id = request_action_enqueue(request=request, action="approve")
    # The pool runs short after the check that let the action be queued.
    for last in range(1, 7):
        excluded_address_add(pool=pool, address=f"203.0.113.{last}")
    for send in queued:
        send()

    result = TaskResult.objects.get(task_id=task_id)
    assert result.status == "FAILURE"
    assert "short by" in result.result
    assert request.allocations.get().status == AllocationStatus.FAILED


def test_an_action_the_pools_cannot_serve_is_refused_before_it_is_queued(
    reference_data, django_capture_on_commit_callbacks
):
    na = Region.objects.get(code="na")
    ProxyPoolFactory(name="na small", region=na, prefixes=["203.0.113.0/31"])
    request = request_for(regions=[na], concurrency=1000)

    with (
        django_capture_on_commit_callbacks() as queued,
        pytest.raises(PoolExhausted) as refused,
    ):
        request_action_enqueue(request=request, action="approve")

    assert refused.value.message_dict == {
        "concurrency": [
            "Pool \u201cna small\u201d has 2 free addresses and this request needs 11 (short by 9)."
        ]
    }
    assert queued == [] and not TaskResult.objects.exists()
    assert not request.allocations.exists()


def test_expire_task_ends_due_test_sets_once(na):
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert tasks.expire_allocations_task.apply().get() == {"ended": 1}
        assert tasks.expire_allocations_task.apply().get() == {"ended": 0}

    test_set.refresh_from_db()
    assert test_set.status == AllocationStatus.EXPIRED


def test_release_releases_once(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)

    assert allocation_release(allocation=production)
    assert not allocation_release(allocation=production)
    production.refresh_from_db()
    assert production.status == AllocationStatus.RELEASED


def test_one_beat_schedule_holds_every_periodic_job():
    schedule = current_app.conf.beat_schedule
    names = {entry["task"] for entry in schedule.values()}

    assert names == {
        "provisioning.tasks.expire_allocations_task",
        "provisioning.tasks.allocation_reminders_task",
        "provisioning.tasks.request_actions_sweep_task",
        "core.tasks.outbox_relay_task",
        "provisioning.tasks.pool_low_water_task",
        "rules.tasks.rule_set_activations_due_task",
        "webhooks.retry_due",
        "rules.tasks.rule_digests_task",
    }
    current_app.loader.import_default_modules()  # as a worker does: every app's tasks
    assert names <= set(current_app.tasks)


def test_admins_and_contact_are_told_what_to_whitelist_when_a_set_goes_live(
    na, django_capture_on_commit_callbacks
):
    request = request_for(regions=[na], concurrency=100)
    customer = request.app.customer
    customer_admin(customer, email="fw-admin@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        request_allocate_test(request=request)
    with django_capture_on_commit_callbacks(execute=True):
        request_approve(request=request)

    test_mail, production_mail = mail.outbox
    assert set(test_mail.to) == {"fw-admin@example.com", customer.contact_email}
    assert "23.236.115.138" in test_mail.body and "UDP  3478-3500" in test_mail.body
    assert "ends on" in test_mail.body
    assert "production" in production_mail.subject
    assert "203.0.113.1" in production_mail.body
    assert "Keep the shared test set allowed until" in production_mail.body


def test_expiry_reminders_go_out_7_days_and_1_day_before_and_never_twice(na):
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)
    ends = test_set.expires_at

    with time_machine.travel(ends - timedelta(days=8)):
        assert tasks.allocation_reminders_task.apply().get() == {"sent": 0}
    with time_machine.travel(ends - timedelta(days=6)):
        assert tasks.allocation_reminders_task.apply().get() == {"sent": 1}
        assert tasks.allocation_reminders_task.apply().get() == {"sent": 0}
    with time_machine.travel(ends - timedelta(hours=12)):
        assert tasks.allocation_reminders_task.apply().get() == {"sent": 1}
        assert tasks.allocation_reminders_task.apply().get() == {"sent": 0}

    week, day = mail.outbox
    assert "ends in 7 days" in week.subject and "ends in 1 day" in day.subject
    assert "remove them from your firewall" in day.body
    assert "23.236.115.138" in day.body


def test_a_resize_notice_lists_what_to_add_and_what_to_remove(
    na, django_capture_on_commit_callbacks
):
    from provisioning.services.lifecycle import request_resize

    request = request_for(regions=[na], concurrency=300)
    request_approve(request=request)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request_resize(request=request, concurrency=100)

    (notice,) = mail.outbox
    assert "changed" in notice.subject
    removed = notice.body.split("remove them from your firewall:")[1]
    assert "203.0.113.3" in removed and "203.0.113.4" in removed


def test_a_notice_task_delivered_twice_e_mails_once(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)
    mail.outbox.clear()
    kwargs = {"allocation_id": production.pk, "notice": "live"}

    first = tasks.allocation_notice_task.apply(kwargs=kwargs, task_id="redelivered-1").get()
    again = tasks.allocation_notice_task.apply(kwargs=kwargs, task_id="redelivered-1").get()
    other = tasks.allocation_notice_task.apply(kwargs=kwargs, task_id="another-notice").get()

    assert (first["sent"], again["sent"], other["sent"]) == (1, 0, 1)
    assert len(mail.outbox) == 2
    assert production.sent_notices.get(key="redelivered-1").recipients == 1


def test_a_live_notice_for_a_set_revoked_before_it_is_sent_e_mails_nobody(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)
    mail.outbox.clear()
    request_revoke(request=request, reason="customer left")

    result = tasks.allocation_notice_task.apply(
        kwargs={"allocation_id": production.pk, "notice": "live"}, task_id="late-live"
    ).get()

    assert result["sent"] == 0
    assert mail.outbox == []
    # The claim is kept, so a redelivered task doesn't send it later either.
    assert production.sent_notices.get(key="late-live").recipients == 0


def test_a_live_notice_for_a_suspended_request_e_mails_nobody(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)
    mail.outbox.clear()
    request_suspend(request=request)

    result = tasks.allocation_notice_task.apply(
        kwargs={"allocation_id": production.pk, "notice": "live"}, task_id="suspended-live"
    ).get()

    assert result["sent"] == 0
    assert mail.outbox == []


def test_an_expiry_reminder_is_not_sent_for_a_set_already_released(na):
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)
    allocation_release(allocation=test_set)
    mail.outbox.clear()
    test_set.refresh_from_db()

    assert allocation_notice_send(allocation=test_set, notice="expiring", days=7) == 0
    assert mail.outbox == []
