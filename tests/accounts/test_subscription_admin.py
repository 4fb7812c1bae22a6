"""Staff see members' subscriptions, feed links and the e-mails sent, read-only; never a
feed token's hash."""

import pytest
from django.urls import reverse

from accounts.choices import SubscriptionMode
from accounts.models import FeedToken
from accounts.services.feed_tokens import feed_token_issue
from accounts.services.subscriptions import rule_subscription_set
from tests.factories import AppFactory, StaffUserFactory, customer_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    return client


def test_staff_see_subscriptions_and_feed_links_read_only(admin_client):
    app = AppFactory(name="Teller video")
    member = customer_admin(app.customer)
    rule_subscription_set(user=member, app=app, mode=SubscriptionMode.DAILY)
    token, raw = feed_token_issue(user=member, app=app)

    subscriptions = admin_client.get(reverse("admin:accounts_rulesubscription_changelist"))
    assert subscriptions.status_code == 200
    assert "Teller video" in subscriptions.content.decode()
    page = admin_client.get(reverse("admin:accounts_feedtoken_change", args=[token.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert token.prefix in html
    assert FeedToken.objects.get().token_hash not in html and raw not in html
    assert admin_client.get(reverse("admin:accounts_feedtoken_add")).status_code == 403
    notices = admin_client.get(reverse("admin:accounts_subscriptionnotice_changelist"))
    assert notices.status_code == 200
