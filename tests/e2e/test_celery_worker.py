"""A real Celery worker on Redis drives requests through the lifecycle, and a worker
killed in the middle of a production allocation is replaced without harm."""

from collections import Counter

import pytest
from django_celery_results.models import TaskResult

from provisioning.choices import AllocationKind, AllocationStatus, RequestStatus
from provisioning.models import AllocatedEndpoint, ProvisioningRequest, Region
from provisioning.services.actions import request_action_enqueue
from provisioning.services.reference_data import reference_data_load
from tests.e2e.conftest import wait_for
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def request_in_na():
    reference_data_load()
    na = Region.objects.get(code="na")
    ProxyPoolFactory(name="na e2e", region=na, prefixes=["203.0.113.0/27"])
    return request_for(regions=[na], concurrency=250)


def status_of(request) -> str:
    return ProvisioningRequest.objects.values_list("status", flat=True).get(pk=request.pk)


def task_state(task_id: str) -> str | None:
    return TaskResult.objects.filter(task_id=task_id).values_list("status", flat=True).first()


def test_a_worker_takes_a_request_from_submitted_through_testing_to_active(
    celery_worker, request_in_na
):
    staff = staff_member("ops")
    worker = celery_worker()

    test_task = request_action_enqueue(request=request_in_na, action="allocate-test", actor=staff)
    wait_for(
        lambda: task_state(test_task) == "SUCCESS",
        message=f"allocate-test did not finish:\n{worker.output()}",
    )
    assert status_of(request_in_na) == RequestStatus.TESTING

    request_in_na.refresh_from_db()
    approve_task = request_action_enqueue(request=request_in_na, action="approve", actor=staff)
    wait_for(
        lambda: task_state(approve_task) == "SUCCESS",
        message=f"approve did not finish:\n{worker.output()}",
    )

    assert status_of(request_in_na) == RequestStatus.ACTIVE
    production = request_in_na.allocations.get(kind=AllocationKind.PRODUCTION)
    assert production.status == AllocationStatus.ACTIVE
    # ceil(250 / 100) + 1 spare.
    assert production.endpoints.filter(live=True).count() == 4
    assert request_in_na.events.last().actor == staff
    assert TaskResult.objects.get(task_id=approve_task).worker.startswith("worker1-")


def test_a_worker_killed_mid_allocation_is_replaced_and_the_task_runs_once(
    celery_worker, request_in_na, tmp_path
):
    pause = tmp_path / "pause-production-allocation"
    pause.touch()
    reached = tmp_path / "pause-production-allocation.reached"
    env = {"ALLOCATION_PAUSE_FILE": pause, "CELERY_VISIBILITY_TIMEOUT": 2}
    first = celery_worker(**env)

    task_id = request_action_enqueue(request=request_in_na, action="approve")
    wait_for(reached.exists, message=f"The task never reached the pause:\n{first.output()}")
    first.kill()
    pause.unlink()
    assert status_of(request_in_na) == RequestStatus.SUBMITTED  # nothing was committed

    second = celery_worker(**env)
    wait_for(
        lambda: status_of(request_in_na) == RequestStatus.ACTIVE,
        timeout=90,
        message=f"The redelivered task did not finish:\n{second.output()}",
    )

    wait_for(lambda: task_state(task_id) == "SUCCESS", message=second.output())
    live = request_in_na.allocations.filter(kind=AllocationKind.PRODUCTION)
    assert [a.status for a in live] == [AllocationStatus.ACTIVE]
    held = AllocatedEndpoint.objects.filter(live=True, dedicated=True)
    assert held.count() == 4
    assert max(Counter(held.values_list("address", flat=True)).values()) == 1
    transitions = [(e.from_status, e.to_status) for e in request_in_na.events.all()]
    assert transitions.count(("production_pending", "active")) == 1
