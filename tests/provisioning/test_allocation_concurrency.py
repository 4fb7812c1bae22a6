"""Concurrent production allocations from one pool never hand out an address twice."""

import threading
from collections import Counter

import pytest
from django.db import connections

from provisioning.choices import AllocationStatus, RequestStatus
from provisioning.exceptions import ProvisioningError
from provisioning.models import AllocatedEndpoint, ProvisioningRequest, Region
from provisioning.services.lifecycle import request_approve
from tests.factories import AppFactory, CustomerFactory, ProxyPoolFactory, request_for

WORKERS = 8
REQUESTS = 200


def _approve_all(request_ids, outcomes, errors):
    """Approve each request on this thread's own database connection."""
    try:
        for request_id in request_ids:
            request = ProvisioningRequest.objects.get(pk=request_id)
            try:
                request_approve(request=request)
            except ProvisioningError as exc:
                outcomes[request_id] = ("failed", " ".join(exc.messages))
            else:
                outcomes[request_id] = ("ok", "")
    except Exception as exc:  # reported by the test thread below
        errors.append(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_eight_workers_allocating_200_sets_from_one_pool_never_share_an_address(
    reference_data,
):
    na = Region.objects.get(code="na")
    # 254 usable addresses, 2 per set (1 + 1 spare): 127 sets fit and 73 must fail cleanly.
    ProxyPoolFactory(name="na shared", region=na, prefixes=["198.18.0.0/24"])
    customer = CustomerFactory()
    request_ids = [
        request_for(AppFactory(customer=customer), regions=[na], concurrency=100).pk
        for _ in range(REQUESTS)
    ]
    outcomes, errors = {}, []
    threads = [
        threading.Thread(target=_approve_all, args=(request_ids[i::WORKERS], outcomes, errors))
        for i in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == [] and len(outcomes) == REQUESTS
    live = AllocatedEndpoint.objects.filter(live=True, dedicated=True)
    duplicates = [a for a, n in Counter(live.values_list("address", flat=True)).items() if n > 1]
    assert duplicates == []
    ok = [pk for pk, (outcome, _) in outcomes.items() if outcome == "ok"]
    failed = {pk: message for pk, (outcome, message) in outcomes.items() if outcome == "failed"}
    assert len(ok) == 127 and live.count() == 254
    assert all("na shared" in message for message in failed.values())
    for request in ProvisioningRequest.objects.filter(pk__in=ok):
        assert request.status == RequestStatus.ACTIVE
        assert request.allocations.get(status=AllocationStatus.ACTIVE).endpoints.count() == 2
    for request in ProvisioningRequest.objects.filter(pk__in=failed):
        assert request.status == RequestStatus.SUBMITTED
        assert request.allocations.get().status == AllocationStatus.FAILED
