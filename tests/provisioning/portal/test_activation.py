"""The app page says which rules version is pending and when it reaches SDKs; the
customer's admins confirm their firewall allows it."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.choices import MembershipRole
from provisioning.models import Region
from provisioning.services.lifecycle import request_allocate_test, request_approve
from rules.selectors import rule_set_latest
from tests.factories import MembershipFactory, ProxyPoolFactory, request_for
from tests.provisioning.api.helpers import sdk_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(reference_data, app):
    """``app`` with its test set live and its production set just allocated."""
    region = Region.objects.get(code="na")
    ProxyPoolFactory(region=region, prefixes=["203.0.113.0/28"])
    request = request_for(app, regions=[region], concurrency=100)
    request_allocate_test(request=request)
    request_approve(request=request)
    return rule_set_latest(app=app)


def test_the_app_page_shows_the_pending_version_and_its_date(client, member, app, announced):
    client.force_login(member)
    page = client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()
    assert 'data-testid="activation"' in page
    assert f'data-testid="pending-version">{announced.version}<' in page
    effective = announced.activation.effective_at.strftime("%Y-%m-%d %H:%M")
    assert f'data-testid="effective-at">{effective} UTC<' in page
    assert f"Our firewall allows version {announced.version}" in page


def test_an_admin_acknowledges_and_sdks_get_production(client, member, app, announced):
    assert sdk_get(client, app.app_id).json()["environment"] == "test"
    client.force_login(member)
    url = reverse("portal_rules_acknowledge", args=[app.app_id, announced.version])
    answer = client.post(url)
    assert answer.status_code == 302
    announced.activation.refresh_from_db()
    assert announced.activation.acknowledged_source == "portal"
    assert announced.activation.acknowledged_by == member
    assert LogEntry.objects.filter(object_id=str(announced.activation.pk), user=member).exists()
    assert sdk_get(client, app.app_id).json()["environment"] == "production"
    page = client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()
    assert 'data-testid="activation"' not in page


def test_viewers_see_the_date_but_cannot_acknowledge(client, customer, app, announced):
    viewer = MembershipFactory(customer=customer, role=MembershipRole.VIEWER).user
    client.force_login(viewer)
    page = client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()
    assert 'data-testid="pending-version"' in page
    assert 'data-testid="acknowledge"' not in page
    url = reverse("portal_rules_acknowledge", args=[app.app_id, announced.version])
    assert client.post(url).status_code == 404
    announced.activation.refresh_from_db()
    assert announced.activation.acknowledged_at is None


def test_another_customers_app_is_not_found(client, other_app, outsider):
    client.force_login(outsider)
    url = reverse("portal_rules_acknowledge", args=[other_app.app_id, "2026010101"])
    assert client.post(url).status_code == 404
