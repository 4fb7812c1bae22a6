"""Staff see a request's pending rule set versions and bring them forward with a reason."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from provisioning.models import Region
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_latest
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(reference_data):
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(regions=[region], concurrency=100)
    request_allocate_test(request=request)
    request_approve(request=request)
    return request


def test_the_request_page_lists_pending_versions(client, announced):
    client.force_login(staff_member("sales"))
    url = reverse("admin:provisioning_provisioningrequest_change", args=[announced.pk])
    page = client.get(url).content.decode()
    version = rule_set_latest(app=announced.app).version
    assert 'data-testid="pending-activations"' in page
    assert f"<code>{version}</code>" in page
    assert 'data-action="shorten-activation"' in page


def test_ops_shorten_with_a_reason_and_it_is_audited(client, announced):
    ops = staff_member("ops")
    client.force_login(ops)
    url = reverse("admin:provisioning_provisioningrequest_shorten", args=[announced.pk])
    activation = rule_set_latest(app=announced.app).activation
    announced_at = activation.effective_at

    refused = client.post(url, {"hours": "2", "reason": ""}, follow=True)
    assert "Not brought forward" in refused.content.decode()
    activation.refresh_from_db()
    assert activation.effective_at == announced_at

    client.post(url, {"hours": "2", "reason": "Customer confirmed by phone"})
    activation.refresh_from_db()
    assert abs(activation.effective_at - (timezone.now() + timedelta(hours=2))) < timedelta(
        minutes=1
    )
    assert activation.shortened_by == ops
    entry = LogEntry.objects.get(object_id=str(activation.pk))
    assert entry.user == ops and "Customer confirmed by phone" in entry.change_message


def test_shortening_is_a_post_for_staff_only(client, announced):
    url = reverse("admin:provisioning_provisioningrequest_shorten", args=[announced.pk])
    client.force_login(staff_member("ops"))
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url, {"hours": "0", "reason": "x"}).status_code == 302  # to sign-in
    assert rule_set_latest(app=announced.app).activation.shortened_at is None
