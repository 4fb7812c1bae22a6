"""A signed-in member manages their own e-mail subscription and feed link of an app: any
member (viewers too), only their own, never another customer's app."""

import re

import feedparser
import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.models import FeedToken, RuleSubscription

pytestmark = pytest.mark.django_db


def page(app):
    return reverse("portal_app_subscription", args=[app.app_id])


def shown_feed_url(html: str) -> str | None:
    match = re.search(r'id="new-feed-url-value">([^<]+)<', html)
    return match.group(1) if match else None


def test_app_page_links_to_the_subscription_page(member_client, app):
    html = member_client.get(reverse("portal_app_detail", args=[app.app_id])).content.decode()

    assert f'href="{page(app)}"' in html


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_choose_their_own_e_mails(client, app, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(page(app), {"mode": "daily"})
    assert response.status_code == 302
    assert RuleSubscription.objects.get(user=user, app=app).mode == "daily"
    checked = re.findall(r'value="(\w+)"[^>]*checked', client.get(page(app)).content.decode())
    assert checked == ["daily"]

    client.post(page(app), {"mode": "immediate"})
    assert RuleSubscription.objects.get(user=user, app=app).mode == "immediate"
    client.post(page(app), {"mode": "none"})
    assert not RuleSubscription.objects.filter(user=user).exists()
    history = LogEntry.objects.filter(object_id=str(app.pk)).values_list(
        "change_message", flat=True
    )
    assert sorted(history) == sorted(
        [
            f"Subscribed to e-mails about new rule versions: daily digest. ({user.username})",
            "Subscribed to e-mails about new rule versions: immediately, one e-mail per "
            f"version. ({user.username})",
            f"Unsubscribed from e-mails about new rule versions. ({user.username})",
        ]
    )


def test_an_unknown_mode_is_refused_by_field(member_client, app):
    response = member_client.post(page(app), {"mode": "hourly"})

    assert response.status_code == 400
    assert "hourly is not one of the available choices" in response.content.decode()
    assert not RuleSubscription.objects.exists()


def test_another_customers_app_is_404(member_client, other_app):
    assert member_client.get(page(other_app)).status_code == 404
    assert member_client.post(page(other_app), {"mode": "daily"}).status_code == 404
    issue = reverse("portal_feed_token_issue", args=[other_app.app_id])
    assert member_client.post(issue).status_code == 404
    assert not RuleSubscription.objects.exists()
    assert not FeedToken.objects.exists()


def test_feed_link_is_shown_once_works_and_can_be_rotated_and_revoked(member_client, app):
    issue = reverse("portal_feed_token_issue", args=[app.app_id])
    revoke = reverse("portal_feed_token_revoke", args=[app.app_id])

    assert member_client.post(issue).status_code == 302
    shown = member_client.get(page(app))
    url = shown_feed_url(shown.content.decode())
    assert url and url.startswith(f"http://testserver/feeds/apps/{app.app_id}/")
    assert shown["Cache-Control"] == "no-store"
    assert shown_feed_url(member_client.get(page(app)).content.decode()) is None
    feed = member_client.get(url.removeprefix("http://testserver"))
    assert feedparser.parse(feed.content).bozo == 0

    member_client.post(issue)
    rotated = shown_feed_url(member_client.get(page(app)).content.decode())
    assert rotated != url
    assert member_client.get(url.removeprefix("http://testserver")).status_code == 404

    member_client.post(revoke)
    assert member_client.get(rotated.removeprefix("http://testserver")).status_code == 404
    assert not FeedToken.objects.filter(revoked_at__isnull=True).exists()
    assert 'action="' + issue in member_client.get(page(app)).content.decode()


def test_colleagues_have_their_own_feed_links(client, app, member, viewer):
    client.force_login(member)
    client.post(reverse("portal_feed_token_issue", args=[app.app_id]))
    client.force_login(viewer)
    client.post(reverse("portal_feed_token_revoke", args=[app.app_id]))

    assert FeedToken.objects.get(revoked_at__isnull=True).user == member
