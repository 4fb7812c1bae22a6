"""No staff action lost: actions taken while the broker is down, a database cut in the
middle of an allocation and a worker killed mid-action each end with the action done
exactly once.

Real processes throughout: gunicorn and Celery workers (with beat, for the outbox relay
and the sweeper) against a Redis server of the test's own, and for the database cut a
TCP proxy in front of PostgreSQL.
"""

import re
import time

import pytest
import requests
from django.db import connection

from core.choices import OutboxStatus
from core.models import OutboxMessage
from provisioning.choices import ActionRunState, AllocationKind, AllocationStatus, RequestStatus
from provisioning.models import ProvisioningRequest, Region, RequestActionRun, SentNotice
from provisioning.services.actions import request_action_enqueue
from provisioning.services.reference_data import reference_data_load
from tests.e2e.conftest import wait_for
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
WAITING = "Accepted, waiting for the task queue"


@pytest.fixture
def na():
    reference_data_load()
    region = Region.objects.get(code="na")
    ProxyPoolFactory(name="na e2e", region=region, prefixes=["203.0.113.0/26"])
    return region


def status_of(request) -> str:
    return ProvisioningRequest.objects.values_list("status", flat=True).get(pk=request.pk)


def run_of(task_id: str) -> RequestActionRun:
    return RequestActionRun.objects.get(task_id=task_id)


def assert_done_exactly_once(request, task_id: str) -> None:
    """One run, done; one live production set; one move to active; one "live" notice."""
    run = wait_for(
        lambda: (r := run_of(task_id)).state == ActionRunState.DONE and r,
        timeout=45,
        message=f"The action did not finish: {run_of(task_id).__dict__}",
    )
    assert status_of(request) == RequestStatus.ACTIVE
    production = request.allocations.filter(kind=AllocationKind.PRODUCTION)
    assert [a.status for a in production] == [AllocationStatus.ACTIVE]
    transitions = [(e.from_status, e.to_status) for e in request.events.all()]
    assert transitions.count(("production_pending", "active")) == 1
    notices = SentNotice.objects.filter(allocation=production.get(), notice="live")
    wait_for(notices.exists, message="The set-is-live notice never went out.")
    time.sleep(1)  # a duplicate notice task, if any, would have run by now
    assert notices.count() == 1
    assert "Request #" in run.message and "is now active" in run.message


def admin_session(web, user) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{web.url}/admin/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{web.url}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": user.username, "password": PASSWORD},
        timeout=10,
    )
    assert answer.url.endswith("/admin/"), answer.text[:500]
    return session


def admin_action(session, web, request, action: str) -> requests.Response:
    change = f"{web.url}/admin/provisioning/provisioningrequest/{request.pk}/change/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(change).text)
    return session.post(
        f"{web.url}/admin/provisioning/provisioningrequest/{request.pk}/actions/{action}/",
        data={"csrfmiddlewaretoken": token.group(1)},
        timeout=30,
    )


def test_actions_taken_while_the_broker_is_down_are_accepted_and_run_once_it_is_back(
    na, celery_worker, redis_server, web_server
):
    by_api = request_for(regions=[na], concurrency=100)
    by_admin = request_for(regions=[na], concurrency=100)
    ops = staff_member("ops")
    redis_server.kill()
    web = web_server(
        CELERY_BROKER_URL=redis_server.url,
        CELERY_TASK_DEFAULT_QUEUE=celery_worker.queue,
        BROKER_CONNECT_TIMEOUT=1,
        BROKER_SOCKET_TIMEOUT=2,
        SESSION_COOKIE_SECURE=0,
        CSRF_COOKIE_SECURE=0,
    )

    answer = requests.post(
        f"{web.url}/api/v1/requests/{by_api.pk}/approve/", auth=(ops.username, PASSWORD),
        json={"reason": "contract signed"}, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    assert answer.json()["state"] == "accepted"
    assert answer.json()["message"].startswith(WAITING)
    api_task = answer.json()["task_id"]

    session = admin_session(web, ops)
    page = admin_action(session, web, by_admin, "approve")
    admin_task = page.url.split("task=")[1]
    assert f'data-testid="task-state">{WAITING}<' in page.text
    assert "queued" not in page.text.split('id="task-panel"')[1].split("</div>")[0].lower()

    polled = session.get(f"{web.url}/api/v1/tasks/{api_task}/", timeout=10).json()
    assert (polled["state"], polled["status"]) == ("accepted", "PENDING")
    for task_id in (api_task, admin_task):
        row = OutboxMessage.objects.get(task_id=task_id)
        assert row.status == OutboxStatus.PENDING and row.attempts >= 1, row.last_error
    assert status_of(by_api) == status_of(by_admin) == RequestStatus.SUBMITTED

    # The broker comes back; a worker with beat relays what waited and runs it.
    redis_server.start()
    worker = celery_worker(broker_url=redis_server.url, beat=True, OUTBOX_RELAY_INTERVAL_SECONDS=1)
    for request, task_id in ((by_api, api_task), (by_admin, admin_task)):
        try:
            assert_done_exactly_once(request, task_id)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{worker.output()}") from exc
        assert run_of(task_id).attempts == 1
        assert list(
            OutboxMessage.objects.filter(task_id=task_id).values_list("status", flat=True)
        ) == [OutboxStatus.SENT]
    page = session.get(
        f"{web.url}/admin/provisioning/provisioningrequest/{by_admin.pk}/change/?task={admin_task}"
    )
    assert 'data-testid="task-state">Done<' in page.text


def test_a_worker_killed_mid_action_is_finished_by_the_sweeper_within_its_lease(
    na, celery_worker, redis_server, tmp_path
):
    request = request_for(regions=[na], concurrency=250)
    pause = tmp_path / "pause-production-allocation"
    pause.touch()
    reached = tmp_path / "pause-production-allocation.reached"
    # The broker's visibility timeout stays at its default (an hour): only the sweeper can
    # bring the action back in time.
    lease = {"ACTION_LEASE_SECONDS": 5}
    first = celery_worker(broker_url=redis_server.url, ALLOCATION_PAUSE_FILE=pause, **lease)

    task_id = request_action_enqueue(request=request, action="approve")
    wait_for(reached.exists, message=f"The task never reached the pause:\n{first.output()}")
    first.kill()
    killed = time.monotonic()
    pause.unlink()
    assert status_of(request) == RequestStatus.SUBMITTED  # nothing was committed
    assert run_of(task_id).state == ActionRunState.RUNNING

    second = celery_worker(
        broker_url=redis_server.url, beat=True, ACTION_SWEEP_INTERVAL_SECONDS=1,
        OUTBOX_RELAY_INTERVAL_SECONDS=1, **lease,
    )  # fmt: skip
    try:
        assert_done_exactly_once(request, task_id)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{second.output()}") from exc
    # Far within the broker's hour: the lease (5 s) plus a sweep and a worker start.
    assert time.monotonic() - killed < 45
    assert run_of(task_id).attempts == 2
    held = request.allocations.get(kind=AllocationKind.PRODUCTION).endpoints.filter(live=True)
    assert held.count() == 4  # ceil(250 / 100) + 1 spare


def _database_url_through(proxy) -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@127.0.0.1:{proxy.port}/{db['NAME']}"


@pytest.mark.postgresql
def test_a_database_cut_for_ten_seconds_mid_allocation_is_waited_out_and_the_action_runs_once(
    na, celery_worker, redis_server, database_proxy, tmp_path
):
    request = request_for(regions=[na], concurrency=250)
    pause = tmp_path / "pause-production-allocation"
    pause.touch()
    reached = tmp_path / "pause-production-allocation.reached"
    worker = celery_worker(
        broker_url=redis_server.url,
        DATABASE_URL=_database_url_through(database_proxy),
        DATABASE_CONNECT_TIMEOUT=2,
        ALLOCATION_PAUSE_FILE=pause,
    )

    task_id = request_action_enqueue(request=request, action="approve")
    wait_for(reached.exists, message=f"The task never reached the pause:\n{worker.output()}")
    database_proxy.cut()
    pause.unlink()  # the allocation goes on, into a database that is gone
    wait_for(
        lambda: "Retry in" in worker.output(),
        message=f"The task was not retried:\n{worker.output()}",
    )
    time.sleep(10)
    assert status_of(request) == RequestStatus.SUBMITTED
    database_proxy.restore()

    try:
        assert_done_exactly_once(request, task_id)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{worker.output()}") from exc
    assert run_of(task_id).attempts >= 2
    assert "Exception raised outside body" not in worker.output()
