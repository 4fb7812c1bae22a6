"""Staff actions on requests, task progress, the timeline and pool utilization in the admin."""

import pytest
from django.urls import reverse

from core.choices import OutboxStatus
from core.models import OutboxMessage
from provisioning.choices import RequestStatus
from provisioning.models import ProxyPool, Region
from tests.factories import (
    AppFactory,
    ProxyPoolFactory,
    StaffUserFactory,
    UserFactory,
    edge_pool,
    request_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    return client


@pytest.fixture
def post(staff_client, django_capture_on_commit_callbacks):
    """POST as staff and run the tasks queued on commit, as a real commit would."""

    def run(url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return staff_client.post(url, data or {}, **kwargs)

    return run


@pytest.fixture
def submitted(reference_data):
    return request_for(AppFactory(), regions=[Region.objects.get(code="na")], concurrency=100)


def _action_url(provisioning_request, action):
    return reverse(
        "admin:provisioning_provisioningrequest_action", args=[provisioning_request.pk, action]
    )


def _change_url(provisioning_request):
    return reverse("admin:provisioning_provisioningrequest_change", args=[provisioning_request.pk])


def test_change_page_offers_the_actions_of_the_current_state(staff_client, submitted):
    html = staff_client.get(_change_url(submitted)).content.decode()
    assert 'data-action="allocate-test"' in html
    assert 'data-action="approve"' in html
    assert 'data-action="reject"' in html
    assert 'data-action="resume"' not in html
    assert "Timeline" in html
    assert "Submitted." in html


def test_allocate_test_queues_the_task_and_shows_its_result(staff_client, post, submitted):
    response = post(_action_url(submitted, "allocate-test"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{_change_url(submitted)}?task=")
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.TESTING
    page = staff_client.get(response["Location"]).content.decode()
    assert 'data-testid="task-state">Done<' in page
    assert "testing" in page
    assert "Test set #" in page  # the timeline's new event
    task_id = response["Location"].split("task=")[1]
    status = staff_client.get(
        reverse("admin:provisioning_provisioningrequest_task", args=[submitted.pk, task_id])
    ).json()
    assert status["state"] == "done"
    assert status["label"] == "Done"
    assert status["ready"] is True
    assert status["result"]["status"] == RequestStatus.TESTING


def test_illegal_action_is_refused_before_queuing(post, submitted):
    response = post(_action_url(submitted, "resume"), follow=True)
    assert "only a request that is suspended can be resumed" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_reject_records_the_reason(post, submitted):
    post(_action_url(submitted, "reject"), {"reason": "Duplicate of #1"})
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.REJECTED
    assert submitted.events.last().reason == "Rejected: Duplicate of #1"


def test_bulk_action_from_the_list(post, submitted):
    response = post(
        reverse("admin:provisioning_provisioningrequest_changelist"),
        {"action": "action_allocate_test", "_selected_action": [submitted.pk]},
        follow=True,
    )
    assert f"#{submitted.pk}" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.TESTING


def test_actions_and_task_status_are_staff_only(client, submitted):
    client.force_login(UserFactory())
    response = client.post(_action_url(submitted, "allocate-test"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    task_url = reverse("admin:provisioning_provisioningrequest_task", args=[submitted.pk, "x"])
    assert client.get(task_url).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.SUBMITTED


def test_pool_list_and_page_show_utilization(staff_client, post, submitted):
    post(_action_url(submitted, "allocate-test"))
    second = request_for(AppFactory(), regions=[submitted.regions.get()], concurrency=100)
    post(_action_url(second, "allocate-test"))
    dedicated = ProxyPoolFactory(
        name="na dedicated", region=submitted.regions.get(), prefixes=["203.0.113.0/29"]
    )
    post(_action_url(second, "approve"))

    listing = staff_client.get(reverse("admin:provisioning_proxypool_changelist")).content
    html = listing.decode()
    assert "Utilization" in html
    # Shared pools: how many apps use each address, never "100% used, 0 free".
    assert "<strong>Shared</strong> · 2 addresses · 2 apps use each" in html
    assert "Test (shared by every app)" in html
    # Dedicated pools: used and free.
    assert "Production (dedicated per customer)" in html
    assert "<strong>33.3%</strong> used · 2 live · 0 quarantined · 4 free" in html

    shared = ProxyPool.objects.get(name="Test overseas")
    page = staff_client.get(reverse("admin:provisioning_proxypool_change", args=[shared.pk]))
    html = page.content.decode()
    assert 'data-testid="apps-23.236.115.138">2<' in html
    assert 'data-testid="apps-148.153.66.218">2<' in html
    assert "pool-free" not in html and "100.0%" not in html
    page = staff_client.get(reverse("admin:provisioning_proxypool_change", args=[dedicated.pk]))
    html = page.content.decode()
    assert 'data-testid="pool-live">2<' in html
    assert 'data-testid="pool-free">4<' in html
    assert 'data-testid="pool-used"><strong>33.3%<' in html


def test_edge_pools_read_as_shared_and_ipv6_counts_exactly(staff_client, reference_data):
    edge_pool(prefixes=["198.51.100.8/30"], name="edge shared")
    ipv6 = ProxyPoolFactory(
        name="na v6", region=Region.objects.get(code="na"), prefixes=["2001:db8::/64"]
    )

    html = staff_client.get(reverse("admin:provisioning_proxypool_changelist")).content.decode()
    row = html[html.index("edge shared") :]
    row = row[: row.index("</tr>")]
    assert "Production edge (shared by customers)" in row
    assert "dedicated" not in row
    assert "18,446,744,073,709,551,615 free" in html
    page = staff_client.get(reverse("admin:provisioning_proxypool_change", args=[ipv6.pk]))
    assert "e+19" not in page.content.decode()


def test_an_action_waiting_for_the_task_queue_shows_as_accepted_then_queued(
    staff_client, submitted, django_capture_on_commit_callbacks
):
    # The action was accepted, but its task has not reached the broker yet.
    with django_capture_on_commit_callbacks(execute=False) as sends:
        response = staff_client.post(_action_url(submitted, "allocate-test"))
    task_id = response["Location"].split("task=")[1]
    task_url = reverse("admin:provisioning_provisioningrequest_task", args=[submitted.pk, task_id])
    assert staff_client.get(task_url).json() == {
        "task_id": task_id,
        "state": "accepted",
        "label": "Accepted, waiting for the task queue",
        "ready": False,
        "result": None,
        "message": "Accepted, waiting for the task queue.",
    }
    page = staff_client.get(response["Location"]).content.decode()
    assert 'data-testid="task-state">Accepted, waiting for the task queue<' in page
    assert "queued" not in page.lower().split('id="task-panel"')[1].split("</div>")[0]
    assert 'data-ready="0"' in page
    assert f'data-url="{task_url}"' in page

    # Sent to a broker (here: run in-process, as no broker is configured).
    OutboxMessage.objects.filter(task_id=task_id).update(status=OutboxStatus.SENT)
    assert staff_client.get(task_url).json()["label"] == "Queued, waiting for a worker"
    assert len(sends) == 1


def test_an_unknown_task_id_is_said_at_once(staff_client, submitted):
    task_url = reverse("admin:provisioning_provisioningrequest_task", args=[submitted.pk, "nope"])
    assert staff_client.get(task_url).json()["state"] == "unknown"
    page = staff_client.get(f"{_change_url(submitted)}?task=nope").content.decode()
    assert "No action was queued with this task id" in page
    assert 'data-ready="1"' in page
