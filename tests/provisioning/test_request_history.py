"""The admin request page's one timeline: events, staff actions and failures in time order."""

import pytest
from django.test import Client
from django.urls import reverse

from provisioning.models import Region
from provisioning.selectors.request_history import request_admin_timeline
from provisioning.services.actions import request_action_enqueue
from provisioning.services.pools import excluded_address_add
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_approval(reference_data, django_capture_on_commit_callbacks):
    """A request given its test set by ops, whose approval then failed: the pool ran short
    between the click and the task."""
    na = Region.objects.get(code="na")
    pool = ProxyPoolFactory(region=na, prefixes=["203.0.113.0/28"])  # 14 usable
    request = request_for(regions=[na], concurrency=1000)  # needs 11
    ops = staff_member("ops", username="olga")
    with django_capture_on_commit_callbacks(execute=True):
        request_action_enqueue(request=request, action="allocate-test", actor=ops)
    with django_capture_on_commit_callbacks() as queued:
        request_action_enqueue(request=request, action="approve", actor=ops)
    for last in range(1, 7):
        excluded_address_add(pool=pool, address=f"203.0.113.{last}")
    for send in queued:
        send()
    return request


def test_the_timeline_holds_events_actions_and_failures_oldest_first(failed_approval):
    entries = request_admin_timeline(request=failed_approval)

    assert [(entry.kind, entry.title) for entry in entries] == [
        ("event", "Submitted"),
        ("action", "Allocate test set (done)"),
        ("event", "Submitted \u2192 Testing"),
        ("failure", "Production set failed"),
        ("failure", "Approve production (failed)"),
    ]
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    assert entries[1].who == "olga"
    assert "short by" in entries[-1].text and "Add addresses to that pool" in entries[-1].text


def test_the_admin_request_page_shows_one_timeline_and_no_separate_history(failed_approval):
    client = Client()
    client.force_login(staff_member("sales"))

    page = client.get(
        reverse("admin:provisioning_provisioningrequest_change", args=[failed_approval.pk])
    ).content.decode()

    timeline = page.split('data-testid="request-timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("<li") == 5
    assert 'data-kind="failure"' in timeline and "Approve production failed." in timeline
    assert "History</h2>" not in page  # the events inline is gone: they are in the timeline
