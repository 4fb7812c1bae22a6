"""A customer signs up for news of their app's rules in Chromium: e-mail at each version,
and a secret feed link that a feed reader then reads over real HTTP."""

import urllib.request

import feedparser
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from accounts.models import App
from provisioning.models import ProvisioningRequest
from provisioning.services.demo import DEMO_APP_ID
from provisioning.services.lifecycle import request_allocate_test
from provisioning.services.publishing import app_rule_set_publish
from tests.e2e import test_portal as portal
from tests.e2e.test_portal import PHONE, assert_fits_width, shot

# The portal tests' demo customer and signed-in pages.
demo = portal.demo
open_page = portal.open_page

pytestmark = pytest.mark.e2e


def test_member_subscribes_and_a_feed_reader_follows_the_rules(demo, open_page, live_server):
    request_allocate_test(request=ProvisioningRequest.objects.get(app__app_id=DEMO_APP_ID))
    page = open_page("demo", viewport=PHONE)
    page.goto(f"{live_server.url}/apps/{DEMO_APP_ID}/")

    page.get_by_test_id("rule-updates-link").click()
    page.get_by_label("Immediately, one e-mail per version").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Each new rule version of this app")
    page.get_by_role("button", name="Create feed link").click()
    expect(page.get_by_test_id("new-feed-url")).to_contain_text("the only time it is shown")
    assert_fits_width(page)
    shot(page, "phone-rule-updates", mask=[page.locator("#new-feed-url-value")])
    feed_url = page.locator("#new-feed-url-value").inner_text()

    # A feed reader: no cookie, no header, just the link.
    with urllib.request.urlopen(feed_url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        feed = feedparser.parse(answer.read())
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.entries[0].title.endswith("destinations added")
    assert (
        "+ added test TCP 150.138.153.78/32 ports 443,4000 (signalling)" in feed.entries[0].summary
    )

    mail.outbox.clear()
    app = App.objects.get(app_id=DEMO_APP_ID)
    app.source_networks = ["10.20.0.0/16"]
    app.save()
    version = app_rule_set_publish(app=app)
    [message] = mail.outbox
    assert message.to == [get_user_model().objects.get(username="demo").email]
    assert f"version {version.version}" in message.subject
    since = f"?since={feed.entries[0].id.rpartition('/')[2]}#what-changed"
    assert f"{settings.PUBLIC_BASE_URL}/apps/{DEMO_APP_ID}/{since}" in message.body

    page.reload()
    expect(page.get_by_test_id("new-feed-url")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("Feed link revoked")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(feed_url, timeout=10)
    assert refused.value.code == 404
