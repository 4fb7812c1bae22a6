"""Ops commands: allocate, release and pool_report."""

import pytest
from django.core.management import CommandError, call_command

from provisioning.choices import AllocationStatus, RequestStatus
from provisioning.models import Region
from provisioning.selectors.allocations import pool_usage
from provisioning.services.lifecycle import request_allocate_test, request_approve, request_suspend
from tests.factories import ProxyPoolFactory, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def na(reference_data):
    region = Region.objects.get(code="na")
    ProxyPoolFactory(name="na multi-line", region=region, prefixes=["203.0.113.0/29"])
    return region


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_allocate_runs_the_open_requests_allocation_and_prints_it(na):
    request = request_for(regions=[na], concurrency=100)

    test_output = run("allocate", "--app", request.app.app_id, "--kind", "test")
    output = run("allocate", "--app", request.app.app_id, "--kind", "production")

    assert "Test set #" in test_output and "23.236.115.138" in test_output
    assert "is active: 2 addresses" in output and "request #" in output
    assert "203.0.113.1" in output and "203.0.113.2" in output
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE


def test_allocate_prints_the_error_of_a_short_pool(na):
    request = request_for(regions=[na], concurrency=1000)

    with pytest.raises(CommandError, match=r"na multi-line.*short by 5"):
        run("allocate", "--app", request.app.app_id, "--kind", "production")


def test_allocate_refuses_an_app_without_an_open_request(na):
    with pytest.raises(CommandError, match="has no open request"):
        run("allocate", "--app", "f" * 32, "--kind", "test")


def test_release_releases_an_allocation_once(na):
    production = request_approve(request=request_for(regions=[na], concurrency=100))

    assert "Released allocation" in run("release", "--allocation", str(production.pk))
    assert "unchanged" in run("release", "--allocation", str(production.pk))
    production.refresh_from_db()
    assert production.status == AllocationStatus.RELEASED
    with pytest.raises(CommandError, match="no allocation #999"):
        run("release", "--allocation", "999")


def test_pool_report_counts_live_quarantined_and_free_addresses(na):
    first = request_approve(request=request_for(regions=[na], concurrency=100))
    request_approve(request=request_for(regions=[na], concurrency=200))
    run("release", "--allocation", str(first.pk))

    report = run("pool_report")

    line = next(row for row in report.splitlines() if row.startswith("na multi-line"))
    # A /29 has 6 usable addresses: 3 live, 2 quarantined, 1 free.
    assert line.split()[-4:] == ["3", "2", "1", "50.00%"]
    assert report.splitlines()[0].split()[:2] == ["pool", "kind"]


def test_pool_report_shows_a_full_ipv4_part_of_a_dual_stack_pool(reference_data):
    eu = Region.objects.get(code="eu")
    pool = ProxyPoolFactory(
        name="eu dual-stack", region=eu, prefixes=["198.51.100.0/30", "2001:db8:2::/64"]
    )
    request_approve(request=request_for(regions=[eu], concurrency=100))

    rows = [row.split() for row in run("pool_report").splitlines() if row.startswith(pool.name)]
    usage = pool_usage(pool=pool)

    # The set takes the /30's 2 usable addresses; the /64 (less its all-zeros address) is
    # untouched, so a total over both versions would read 0% while IPv4 is full.
    assert [row[-5:] for row in rows] == [
        ["IPv4", "2", "0", "0", "100.00%"],
        ["IPv6", "0", "0", f"{2**64 - 1:,}", "0.00%"],
    ]
    assert usage.used_percent == 100.0 and usage.fullest.version == 4


def test_releasing_the_live_production_set_moves_the_request_to_production_pending(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)

    output = run("release", "--allocation", str(production.pk), "--reason", "bad range")

    request.refresh_from_db()
    assert request.status == RequestStatus.PRODUCTION_PENDING
    assert "is now production pending" in output and "approve it again" in output
    event = request.events.last()
    assert (event.from_status, event.to_status) == ("active", "production_pending")
    assert "bad range" in event.reason
    # Approving again gives the request a new production set.
    again = request_approve(request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    assert again.pk != production.pk and again.status == AllocationStatus.ACTIVE


def test_releasing_the_live_test_set_moves_a_testing_request_back_to_submitted(na):
    request = request_for(regions=[na], concurrency=100)
    test_set = request_allocate_test(request=request)

    output = run("release", "--allocation", str(test_set.pk))

    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert "is now submitted" in output


def test_release_refuses_a_set_of_a_suspended_request_with_a_clear_message(na):
    request = request_for(regions=[na], concurrency=100)
    production = request_approve(request=request)
    request_suspend(request=request)

    with pytest.raises(CommandError, match=r"is suspended; resume or revoke it before"):
        run("release", "--allocation", str(production.pk))

    production.refresh_from_db()
    request.refresh_from_db()
    assert production.status == AllocationStatus.ACTIVE
    assert request.status == RequestStatus.SUSPENDED
