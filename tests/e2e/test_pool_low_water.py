"""In Debian's Chromium: an ops user sets a pool's low-water mark above its free addresses,
the beat job runs, and ops get exactly one e-mail; the ops queue lists the pool.

E-mail goes to Django's in-memory outbox, which the live server shares with the test.
"""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from provisioning import tasks
from provisioning.models import ProxyPool, Region
from provisioning.services.lifecycle import request_approve
from tests.factories import ProxyPoolFactory, request_for, staff_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
TIMEOUT_MS = 15_000


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def test_a_pool_under_its_low_water_mark_produces_one_e_mail(reference_data, live_server, page):
    ops = staff_member("ops", username="olga", email="olga@example.com")
    staff_member("ops", username="omar", email="omar@example.com")
    staff_member("sales", username="sam", email="sam@example.com")
    na = Region.objects.get(code="na")
    pool = ProxyPoolFactory(name="na proxies", region=na, prefixes=["203.0.113.0/28"])
    request_approve(request=request_for(regions=[na], concurrency=300))  # 14 - 4 = 10 free
    mail.outbox.clear()  # the customer's "production set live" notice

    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill(ops.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("[type=submit]").click()
    page.get_by_test_id("ops-queue-link").click()
    expect(page.get_by_test_id("count-low-pools")).to_have_text("(0)")

    page.goto(live_server.url + reverse("admin:provisioning_proxypool_change", args=[pool.pk]))
    expect(page.get_by_test_id("pool-free")).to_have_text("10")
    page.get_by_label("Low-water mark (free addresses)").fill("12")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert ProxyPool.objects.get(pk=pool.pk).low_water_free_addresses == 12

    assert tasks.pool_low_water_task.apply().get() == {"alerted": 1, "rearmed": 0}
    assert tasks.pool_low_water_task.apply().get() == {"alerted": 0, "rearmed": 0}

    [message] = mail.outbox
    assert message.to == ["olga@example.com", "omar@example.com"]
    assert message.subject == "Pool na proxies is below its low-water mark: 10 free (mark 12)"

    page.goto(live_server.url + reverse("admin:provisioning_ops_queue"))
    expect(page.get_by_test_id("count-low-pools")).to_have_text("(1)")
    row = page.get_by_test_id("low-pools").locator("tbody tr")
    expect(row).to_contain_text("na proxies")
    expect(row).to_contain_text("10")
    expect(row).not_to_contain_text("not yet")  # ops were e-mailed
