"""The transactional outbox: tasks written with the change, sent after commit, relayed
while the broker is down, sent again under the same id when asked."""

import json
import time
from datetime import timedelta

import pytest
import redis
from celery import current_app
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.utils import timezone
from django_celery_results.models import TaskResult

from core.choices import OutboxStatus
from core.models import OutboxMessage
from core.outbox import outbox_relay, retry_delay
from core.queue import enqueue_on_commit, task_requeue
from core.results import TolerantDatabaseBackend
from tests.e2e.faults import RedisServer

pytestmark = pytest.mark.django_db

RELAY = "core.tasks.outbox_relay_task"  # a registered task that needs no arguments


def _forget_broker_connections() -> None:
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def broker(tmp_path):
    """Send tasks to a real Redis of the test's own (no worker takes them); the test may
    kill it and start it again."""
    server = RedisServer(tmp_path)
    server.start()
    conf = current_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    conf.update(broker_url=server.url, task_always_eager=False, task_default_queue="outbox-test")
    _forget_broker_connections()
    yield server
    conf.update(saved)
    _forget_broker_connections()
    server.kill()


def queued_task_ids(server) -> list[str]:
    client = redis.Redis(port=server.port)
    return [json.loads(raw)["headers"]["id"] for raw in client.lrange("outbox-test", 0, -1)]


def test_the_row_is_written_with_the_change_and_sent_after_commit(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        task_id = enqueue_on_commit(RELAY, kwargs={})
        row = OutboxMessage.objects.get(task_id=task_id)
        assert row.status == OutboxStatus.PENDING
        assert queued_task_ids(broker) == []  # nothing leaves before the commit

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None
    assert queued_task_ids(broker) == [task_id]


def test_a_rolled_back_change_leaves_no_task(broker, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(RELAY, kwargs={})
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert queued_task_ids(broker) == []


def test_a_broker_that_is_down_leaves_the_row_pending_and_the_relay_sends_it_later(
    broker, django_capture_on_commit_callbacks
):
    broker.kill()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        task_id = enqueue_on_commit(RELAY, kwargs={})
    # Refused connections fail at once; the bound is the broker timeouts (2 x (2 + 5) s).
    assert time.monotonic() - started < 14

    row = OutboxMessage.objects.get(task_id=task_id)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error
    assert row.next_attempt_at > timezone.now()

    # Not due yet: the relay leaves it alone.
    assert outbox_relay() == {"sent": 0, "failed": 0}
    # Due, broker still down: tried, and put off for longer.
    assert outbox_relay(now=row.next_attempt_at) == {"sent": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 2)

    broker.start()
    _forget_broker_connections()
    assert outbox_relay(now=row.next_attempt_at) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert queued_task_ids(broker) == [task_id]
    assert outbox_relay(now=timezone.now() + timedelta(hours=1)) == {"sent": 0, "failed": 0}


def test_the_relay_command_sends_due_rows(broker):
    row = OutboxMessage.objects.create(
        task_name=RELAY, kwargs={}, task_id="from-the-command", next_attempt_at=timezone.now()
    )

    call_command("relay_outbox")

    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert queued_task_ids(broker) == ["from-the-command"]


def test_the_backoff_doubles_up_to_its_ceiling(settings):
    settings.OUTBOX_RETRY_MAX_SECONDS = 60
    assert [retry_delay(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_a_requeued_task_goes_out_again_under_the_same_id(
    broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_id = enqueue_on_commit(RELAY, kwargs={})
    with django_capture_on_commit_callbacks(execute=True):
        assert task_requeue(task_id=task_id) is True
        assert task_requeue(task_id="never-queued") is False

    assert queued_task_ids(broker) == [task_id, task_id]
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_in_process_tasks_run_right_after_commit(django_capture_on_commit_callbacks):
    assert current_app.conf.task_always_eager  # no broker configured, as `make run`
    with django_capture_on_commit_callbacks(execute=True):
        task_id = enqueue_on_commit(RELAY, kwargs={})

    assert OutboxMessage.objects.get(task_id=task_id).status == OutboxStatus.SENT
    assert TaskResult.objects.filter(task_id=task_id).exists() is False  # ignore_result


def test_the_result_backend_logs_a_failed_write_instead_of_raising(monkeypatch, caplog):
    backend = TolerantDatabaseBackend(app=current_app)

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(TaskResult.objects, "store_result", down)

    assert backend.store_result("some-task", None, "RETRY") is None
    assert "Could not record task some-task as RETRY" in caplog.text


def test_the_relay_deletes_rows_sent_over_a_week_ago():
    now = timezone.now()
    for task_id, sent_at in (("old", now - timedelta(days=8)), ("recent", now)):
        OutboxMessage.objects.create(
            task_name=RELAY, task_id=task_id, status=OutboxStatus.SENT, sent_at=sent_at,
            next_attempt_at=sent_at,
        )  # fmt: skip

    outbox_relay(now=now)

    assert list(OutboxMessage.objects.values_list("task_id", flat=True)) == ["recent"]
