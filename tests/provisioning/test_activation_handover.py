"""The test set keeps serving until production reaches the app's SDKs."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from provisioning.choices import AllocationKind, AllocationStatus
from provisioning.models import Region
from provisioning.services.allocation.expiry import allocations_expire
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_latest
from tests.factories import ProxyPoolFactory, request_for

pytestmark = pytest.mark.django_db


def test_a_handed_over_test_set_waits_for_production_to_take_effect(reference_data, settings):
    settings.HANDOVER_GRACE_DAYS = 7
    settings.ACTIVATION_DELAY_PRODUCTION = 10 * 24  # longer than the grace period
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[region], concurrency=100)
    request_allocate_test(request=request)
    request_approve(request=request)
    test_set = request.allocations.get(kind=AllocationKind.TEST)
    effective_at = rule_set_latest(app=request.app).activation.effective_at

    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert allocations_expire() == 0
    test_set.refresh_from_db()
    assert test_set.status == AllocationStatus.ACTIVE
    assert test_set.expires_at == effective_at
    assert "kept until" in request.events.order_by("-pk").first().reason

    with time_machine.travel(effective_at + timedelta(seconds=1), tick=False):
        assert allocations_expire() == 1
    test_set.refresh_from_db()
    assert test_set.status == AllocationStatus.RELEASED
