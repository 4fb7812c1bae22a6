"""A staff action's run: its states, its retries, its lease and the sweeper."""

from datetime import timedelta

import pytest
from celery import current_app
from django.db import OperationalError
from django.utils import timezone

from core.choices import OutboxStatus
from core.models import OutboxMessage
from provisioning import tasks
from provisioning.choices import ActionRunState, AllocationStatus, RequestStatus
from provisioning.models import Region, RequestActionRun
from provisioning.services.action_runs import MAX_ATTEMPTS, action_run_start, action_runs_sweep
from provisioning.services.actions import request_action_enqueue
from provisioning.services.pools import excluded_address_add
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    return region


def test_an_accepted_action_has_its_run_and_its_outbox_row_before_anything_runs(
    na, django_capture_on_commit_callbacks
):
    staff = staff_member("ops")
    request = request_for(regions=[na])

    with django_capture_on_commit_callbacks(execute=False):
        task_id = request_action_enqueue(request=request, action="approve", actor=staff)

    run = RequestActionRun.objects.get(task_id=task_id)
    assert (run.state, run.attempts, run.actor, run.action) == ("accepted", 0, staff, "approve")
    outbox = OutboxMessage.objects.get(task_id=task_id)
    assert outbox.status == OutboxStatus.PENDING
    assert outbox.kwargs["request_id"] == request.pk


def test_a_run_goes_through_running_to_done(na, django_capture_on_commit_callbacks):
    request = request_for(regions=[na])

    with django_capture_on_commit_callbacks(execute=True):
        task_id = request_action_enqueue(request=request, action="allocate-test")

    run = RequestActionRun.objects.get(task_id=task_id)
    assert (run.state, run.attempts, run.lease_expires_at) == ("done", 1, None)
    assert run.message == f"Request #{request.pk} is now testing."
    assert run.outcome == {"request_id": request.pk, "status": "testing", "unchanged": False}
    assert run.started_at <= run.finished_at


def test_a_refused_action_fails_with_its_reason(reference_data, django_capture_on_commit_callbacks):
    na = Region.objects.get(code="na")
    pool = ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])  # 14 usable
    request = request_for(regions=[na], concurrency=1000)  # needs 11

    # The pools could serve it when it was accepted; they run short before it runs.
    with django_capture_on_commit_callbacks() as queued:
        task_id = request_action_enqueue(request=request, action="approve")
    for last in range(1, 7):
        excluded_address_add(pool=pool, address=f"203.0.113.{last}")
    for send in queued:
        send()

    run = RequestActionRun.objects.get(task_id=task_id)
    assert run.state == ActionRunState.FAILED
    assert run.message.startswith("Approve production failed. ") and "short by" in run.message
    assert "Add addresses to that pool" in run.message
    assert run.message.endswith("then click \u201cApprove production\u201d again.")
    assert request.allocations.get().status == AllocationStatus.FAILED


def test_a_message_delivered_after_the_run_finished_changes_nothing(na):
    request = request_for(regions=[na])
    kwargs = {"request_id": request.pk, "action": "allocate-test"}
    tasks.request_action_task.apply(kwargs=kwargs, task_id="same-task").get()
    run = RequestActionRun.objects.get(task_id="same-task")

    again = tasks.request_action_task.apply(kwargs=kwargs, task_id="same-task").get()

    assert again == {"request_id": request.pk, "status": "testing", "unchanged": True}
    assert RequestActionRun.objects.get(task_id="same-task").attempts == run.attempts == 1
    assert action_run_start(task_id="same-task", request_id=request.pk, action="x") is None


def test_a_database_error_is_retried_and_shown_as_retrying_meanwhile(na, monkeypatch):
    request = request_for(regions=[na])
    seen = []
    real = tasks.request_action_run

    def flaky(**kwargs):
        run = RequestActionRun.objects.get(request=request)
        seen.append((run.state, run.message))
        if len(seen) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "request_action_run", flaky)
    retrying = []
    real_retrying = tasks.action_run_retrying

    def record(**kwargs):
        real_retrying(**kwargs)
        retrying.append(RequestActionRun.objects.get(request=request).state)

    monkeypatch.setattr(tasks, "action_run_retrying", record)

    tasks.request_action_task.apply(
        kwargs={"request_id": request.pk, "action": "allocate-test"}, throw=False
    )

    assert retrying == [ActionRunState.RETRYING]
    assert [state for state, _ in seen] == ["running", "running"]
    run = RequestActionRun.objects.get(request=request)
    assert (run.state, run.attempts) == ("done", 2)
    request.refresh_from_db()
    assert request.status == RequestStatus.TESTING


def test_the_sweeper_queues_again_a_run_whose_lease_ran_out(
    na, settings, django_capture_on_commit_callbacks
):
    settings.ACTION_LEASE_SECONDS = 30
    request = request_for(regions=[na])
    with django_capture_on_commit_callbacks(execute=False):
        task_id = request_action_enqueue(request=request, action="allocate-test")
    OutboxMessage.objects.filter(task_id=task_id).update(status=OutboxStatus.SENT)
    run = action_run_start(task_id=task_id, request_id=request.pk, action="allocate-test")
    # ... and the worker is killed here.

    assert action_runs_sweep() == {"requeued": 0, "given_up": 0}  # lease still running
    later = run.lease_expires_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert action_runs_sweep(now=later) == {"requeued": 1, "given_up": 0}

    run.refresh_from_db()
    assert (run.state, run.attempts) == ("done", 2)
    assert OutboxMessage.objects.filter(task_id=task_id).count() == 2
    request.refresh_from_db()
    assert request.status == RequestStatus.TESTING


def test_the_sweeper_gives_up_on_a_run_that_never_finishes(na):
    request = request_for(regions=[na])
    RequestActionRun.objects.create(
        request=request, action="approve", task_id="doomed", state=ActionRunState.RUNNING,
        attempts=MAX_ATTEMPTS, lease_expires_at=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip

    assert action_runs_sweep() == {"requeued": 0, "given_up": 1}

    run = RequestActionRun.objects.get(task_id="doomed")
    assert run.state == ActionRunState.FAILED
    assert "gave up after 10 attempts" in run.message


def test_an_action_whose_message_was_lost_with_the_broker_is_sent_again(
    na, settings, django_capture_on_commit_callbacks
):
    settings.ACTION_LEASE_SECONDS = 30
    request = request_for(regions=[na])
    with django_capture_on_commit_callbacks(execute=False):
        task_id = request_action_enqueue(request=request, action="allocate-test")
    # Sent, then lost: the broker restarted without its data, and no worker ever saw it.
    OutboxMessage.objects.filter(task_id=task_id).update(status=OutboxStatus.SENT)
    run = RequestActionRun.objects.get(task_id=task_id)

    # A queue may be busy: it waits five leases before sending the task again.
    assert run.lease_expires_at > run.created_at + timedelta(seconds=149)
    assert action_runs_sweep(now=run.created_at + timedelta(seconds=120))["requeued"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert action_runs_sweep(now=run.lease_expires_at)["requeued"] == 1

    run.refresh_from_db()
    assert (run.state, run.attempts) == ("done", 1)
    request.refresh_from_db()
    assert request.status == RequestStatus.TESTING


def test_a_database_error_that_never_ends_fails_the_run_after_the_last_retry(na, monkeypatch):
    request = request_for(regions=[na])

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "request_action_run", down)
    # In-process retries run at once, each inside the last; the last one's error comes out.
    conf = current_app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:
        result = tasks.request_action_task.apply(
            kwargs={"request_id": request.pk, "action": "allocate-test"}, throw=False
        )
    finally:
        conf.task_eager_propagates = propagates

    assert result.failed()
    run = RequestActionRun.objects.get(request=request)
    assert (run.state, run.attempts) == ("failed", 7)  # the first try and 6 retries
    assert run.message == (
        "Allocate test set failed. The database could not be reached in 7 attempts (could "
        "not connect to server). Check that the database is up (/readyz answers 200), then "
        "click \u201cAllocate test set\u201d again."
    )
