"""The action table: every record names a lifecycle service that takes a reason."""

import inspect

import pytest

from provisioning.choices import RequestAction, RequestStatus
from provisioning.models import Region
from provisioning.services import lifecycle
from provisioning.services.actions import request_action_run
from provisioning.services.lifecycle import ACTIONS, QUEUED_ACTIONS, RESIZE
from tests.factories import ProxyPoolFactory, request_for


def test_every_action_names_a_lifecycle_service_that_takes_a_reason():
    for action, spec in ACTIONS.items():
        service = getattr(lifecycle, spec.service)
        parameters = inspect.signature(service).parameters
        assert {"request", "actor", "reason"} <= set(parameters), action


def test_every_request_action_is_queued_and_resize_is_not():
    assert list(QUEUED_ACTIONS) == list(RequestAction)
    assert not ACTIONS[RESIZE].queued


@pytest.mark.django_db
def test_a_reason_given_with_an_approval_is_audited(reference_data):
    na = Region.objects.get(code="na")
    ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[na], concurrency=100)

    result = request_action_run(request=request, action="approve", reason="Contract signed.")

    assert result["status"] == RequestStatus.ACTIVE
    reasons = list(request.events.order_by("created_at", "pk").values_list("reason", flat=True))
    assert "Approved for production: Contract signed." in reasons
