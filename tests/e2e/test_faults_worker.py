"""A worker outlives its broker: Redis dying while a task runs doesn't end the worker."""

import logging
import time

import pytest
from kombu import Connection
from kombu.common import ignore_errors

from provisioning.choices import AllocationKind, AllocationStatus, RequestStatus
from provisioning.models import ProvisioningRequest, Region
from provisioning.services.actions import request_action_enqueue
from provisioning.services.reference_data import reference_data_load
from tests.e2e.conftest import wait_for
from tests.factories import ProxyPoolFactory, request_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def status_of(request) -> str:
    return ProvisioningRequest.objects.values_list("status", flat=True).get(pk=request.pk)


def test_a_prefork_worker_survives_the_broker_dying_during_a_task(
    celery_worker, redis_server, tmp_path
):
    reference_data_load()
    na = Region.objects.get(code="na")
    ProxyPoolFactory(name="na e2e", region=na, prefixes=["203.0.113.0/27"])
    request = request_for(regions=[na], concurrency=250)
    pause = tmp_path / "pause-production-allocation"
    pause.touch()
    reached = tmp_path / "pause-production-allocation.reached"
    worker = celery_worker(
        broker_url=redis_server.url,
        pool="prefork",
        as_deployed=True,
        ALLOCATION_PAUSE_FILE=pause,
    )

    request_action_enqueue(request=request, action="approve")
    wait_for(reached.exists, message=f"The task never reached the pause:\n{worker.output()}")
    redis_server.kill()
    wait_for(
        lambda: "Connection to broker lost" in worker.output(),
        message=f"The worker did not notice the broker going:\n{worker.output()}",
    )
    time.sleep(2)  # the consumer closes the lost connection and starts reconnecting
    assert worker.process.poll() is None, worker.output()

    redis_server.start()
    pause.unlink()
    wait_for(
        lambda: status_of(request) == RequestStatus.ACTIVE,
        message=f"The running task did not finish:\n{worker.output()}",
    )
    wait_for(
        lambda: worker.output().count("Connected to redis") >= 2,
        message=f"The worker did not reconnect:\n{worker.output()}",
    )

    # The worker takes new work from the broker that came back.
    request.refresh_from_db()
    request_action_enqueue(request=request, action="suspend")
    wait_for(
        lambda: status_of(request) == RequestStatus.SUSPENDED,
        message=f"The worker took no task after reconnecting:\n{worker.output()}",
    )
    assert "Unrecoverable error" not in worker.output()
    assert worker.process.poll() is None
    live = request.allocations.filter(kind=AllocationKind.PRODUCTION)
    assert [a.status for a in live] == [AllocationStatus.ACTIVE]


def test_a_lost_connection_with_a_task_in_hand_closes_and_acks_as_a_broker_loss(redis_server):
    """What a worker does when the broker drops while it runs a late-acknowledged task.

    Celery 5.7 clears the lost connection's transport, then closes the connection (which
    puts unacknowledged messages back) and later acknowledges the finished task. With
    kombu 5.7.0 both raised AttributeError ('hostname') and the worker exited.
    """
    connection = Connection(redis_server.url)
    queue = connection.SimpleQueue("fault-test")
    queue.put({"task": "in hand"})
    message = queue.get(timeout=5)  # delivered, not yet acknowledged
    channel = connection.default_channel
    channel.connection.client = None  # what Celery's collect() leaves behind
    channel._pool = None  # the pool kombu drops when the connection fails

    ignore_errors(connection, connection.close)  # raises nothing

    errors = connection.connection_errors + connection.channel_errors
    message.ack_log_error(logging.getLogger(__name__), errors)  # logs "Couldn't ack"
    assert message.acknowledged is False
