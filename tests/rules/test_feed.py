"""The Atom feed of an app's rule versions: valid Atom as a feed reader parses it, the
last versions with what each changed and links, for the app's own callers only."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
import time_machine
from django.contrib.admin.models import LogEntry

from accounts.choices import CustomerStatus
from accounts.models import FeedToken, Membership
from accounts.services.feed_tokens import feed_token_issue, feed_token_revoke
from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from tests.factories import AppFactory, CustomerFactory, customer_admin
from tests.provisioning.api.helpers import api_key_header, live_set, release

pytestmark = pytest.mark.django_db

HOSTILE_NAME = 'Teller <video> & "co" </title><script>alert(1)</script>'


@pytest.fixture
def app(db):
    return AppFactory(name=HOSTILE_NAME)


@pytest.fixture
def versions(app):
    """Three versions: the test set, production added, the test set removed."""
    test_set = live_set(app, addresses=["192.0.2.10"])
    first = app_rule_set_publish(app=app)
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)
    release(test_set)
    third = app_rule_set_publish(app=app)
    return [first, second, third]


def feed_url(app):
    return f"/api/v1/apps/{app.app_id}/rules/feed.atom"


def token_url(app, token):
    return f"/feeds/apps/{app.app_id}/{token}.atom"


def parsed(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def rel(entry, relation):
    return [link for link in entry.links if link.rel == relation]


def test_feed_is_atom_with_the_last_versions_and_their_changes(client, app, versions, settings):
    settings.PUBLIC_BASE_URL = "https://proxy.example.com"
    first, second, third = versions
    response = client.get(
        feed_url(app),
        HTTP_ACCEPT="application/atom+xml",
        **api_key_header(app.customer, scopes=["rules"]),
    )

    feed = parsed(response)
    assert feed.feed.title == f"Firewall rules of {HOSTILE_NAME} ({app.app_id})"
    assert feed.feed.id.startswith("tag:proxy.example.com,")
    assert feed.feed.id.endswith(f":rules/{app.app_id}")
    assert [entry.title.split(":")[0] for entry in feed.entries] == [
        f"Version {third.version}",
        f"Version {second.version}",
        f"Version {first.version}",
    ]
    newest, middle, oldest = feed.entries
    assert newest.title == f"Version {third.version}: 1 destination removed"
    lines = newest.summary.splitlines()
    assert lines[0] == f"Version {third.version}: 1 destination removed."
    # Removing needs no gate, but it carries the pending addition of the version before.
    pending_at = second.activation.effective_at
    assert third.activation.effective_at == pending_at
    assert lines[1] == (
        f"Pending: its new addresses reach SDKs at {pending_at:%Y-%m-%d %H:%M} UTC, or sooner "
        f"once you acknowledge version {third.version} (portal, or POST "
        f"…/rules/{third.version}/ack) when your firewall allows them."
    )
    assert lines[2] == f"Since version {second.version}:"
    lines = lines[2:]
    assert [line.split(" (")[0] for line in lines[1:]] == [
        "- removed test TCP 192.0.2.10/32 ports 3433-3460",
        "- removed test TCP 192.0.2.10/32 ports 443,4000",
        "- removed test UDP 192.0.2.10/32 ports 3478-3500",
    ]
    assert all("leaves the whitelist" in line for line in lines[1:])
    assert middle.title == f"Version {second.version}: 1 destination added"
    assert "+ added production TCP 203.0.113.5/32 ports 443,4000 (signalling)" in middle.summary
    assert "+ added production UDP 203.0.113.5/32 ports 3478-3500 (media)" in middle.summary
    assert f"(media), from {pending_at:%Y-%m-%d %H:%M} UTC" in middle.summary
    assert middle.summary.splitlines()[1].startswith("Pending: ")
    assert oldest.summary.splitlines()[1] == (
        f"In effect for SDKs since {first.created_at:%Y-%m-%d %H:%M} UTC."
    )
    assert "192.0.2.10" not in middle.summary
    assert oldest.title == f"Version {first.version}: 1 destination added"
    assert "Since version" not in oldest.summary
    assert newest.id == (
        f"tag:proxy.example.com,{third.created_at.date().isoformat()}:rules/{app.app_id}/{third.version}"
    )
    assert len({entry.id for entry in feed.entries}) == 3
    assert newest.updated_parsed[:6] == third.created_at.utctimetuple()[:6]
    assert newest.summary_detail.type == "text/plain"


def test_entries_link_to_the_changes_and_every_rule_file(client, app, versions):
    first, second, third = versions
    response = client.get(feed_url(app), **api_key_header(app.customer, scopes=["read"]))

    newest = parsed(response).entries[0]
    page = f"http://testserver/apps/{app.app_id}/"
    assert rel(newest, "alternate")[0].href == f"{page}?since={second.version}#what-changed"
    assert rel(parsed_entries_oldest(client, app)[0], "alternate")[0].href == f"{page}#rules"
    # The portal page compares with the version before the entry's, for a signed-in member.
    middle = parsed_entries_oldest(client, app, count=2)[0]
    link = urlsplit(rel(middle, "alternate")[0].href)
    assert parse_qs(link.query) == {"since": [first.version]}
    client.force_login(customer_admin(app.customer))
    shown = client.get(link.path, parse_qs(link.query))
    assert shown.status_code == 200
    assert f"What changed since {first.version}" in shown.content.decode()
    client.logout()
    related = {
        urlsplit(link.href).path + "?" + urlsplit(link.href).query
        for link in rel(newest, "related")
    }
    assert f"/api/v1/apps/{app.app_id}/rules/changes/?since={second.version}" in related
    for name in FORMATS:
        assert f"/api/v1/apps/{app.app_id}/rules/{third.version}/?format={name}" in related
    # The links work for the same caller.
    headers = api_key_header(app.customer, scopes=["rules"])
    changes_link = next(link.href for link in rel(newest, "related") if "changes" in link.href)
    since = parse_qs(urlsplit(changes_link).query)["since"][0]
    changes = client.get(urlsplit(changes_link).path, {"since": since}, **headers).json()
    assert {change["version"] for change in changes["changes"]} == {third.version}
    nft = next(link.href for link in rel(newest, "related") if link.href.endswith("nftables"))
    download = client.get(urlsplit(nft).path, {"format": "nftables"}, **headers)
    assert download.status_code == 200
    assert b"203.0.113.5" in download.content


def parsed_entries_oldest(client, app, count=1):
    feed = parsed(client.get(feed_url(app), **api_key_header(app.customer, scopes=["read"])))
    return feed.entries[-count:]


def test_feed_lists_only_the_last_n_versions(client, app, versions, settings):
    settings.RULES_FEED_ENTRIES = 2

    feed = parsed(client.get(feed_url(app), **api_key_header(app.customer, scopes=["rules"])))

    assert [entry.title.split(":")[0] for entry in feed.entries] == [
        f"Version {versions[2].version}",
        f"Version {versions[1].version}",
    ]


def test_an_app_without_versions_has_an_empty_valid_feed(client, app):
    feed = parsed(client.get(feed_url(app), **api_key_header(app.customer, scopes=["read"])))

    assert feed.entries == []


def test_characters_xml_cannot_carry_are_replaced(client, versions, app):
    app.name = "Bell\x07 app\x1b"
    app.save()

    feed = parsed(client.get(feed_url(app), **api_key_header(app.customer, scopes=["read"])))

    assert feed.feed.title == f"Firewall rules of Bell\ufffd app\ufffd ({app.app_id})"


def test_etag_answers_304_until_a_new_version(client, app, versions):
    headers = api_key_header(app.customer, scopes=["rules"])
    first = client.get(feed_url(app), **headers)

    again = client.get(feed_url(app), HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    assert again.status_code == 304
    app.source_networks = ["10.1.0.0/16"]
    app.save()
    fourth = app_rule_set_publish(app=app)
    changed = client.get(feed_url(app), HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    newest = parsed(changed).entries[0]
    assert newest.title == f"Version {fourth.version}: 1 destination changed"
    assert "; source networks were any" in newest.summary


def test_another_customers_key_gets_404_and_a_key_without_scope_403(client, app, versions):
    stranger = api_key_header(CustomerFactory(), scopes=["read", "rules"])
    assert client.get(feed_url(app), **stranger).status_code == 404
    no_scope = api_key_header(app.customer, scopes=["requests"])
    assert client.get(feed_url(app), **no_scope).status_code == 403
    assert client.get(feed_url(app)).status_code == 401


def test_members_session_reads_the_feed(client, app, versions):
    client.force_login(customer_admin(app.customer))

    assert len(parsed(client.get(feed_url(app))).entries) == 3


def test_feed_token_url_serves_the_feed_without_headers(client, app, versions):
    member = customer_admin(app.customer)
    token, raw = feed_token_issue(user=member, app=app)

    feed = parsed(client.get(token_url(app, raw), HTTP_ACCEPT="application/atom+xml"))

    assert len(feed.entries) == 3
    assert rel(feed.feed, "self")[0].href == f"http://testserver{token_url(app, raw)}"
    assert FeedToken.objects.get().token_hash != raw and raw not in str(
        FeedToken.objects.values_list()
    )
    assert LogEntry.objects.filter(object_id=str(token.pk), change_message__contains="Issued")


def test_bad_other_apps_revoked_and_rotated_tokens_are_404(client, app, versions):
    member = customer_admin(app.customer)
    other = AppFactory(customer=app.customer)
    _, raw = feed_token_issue(user=member, app=app)
    prefix = raw.partition("-")[0]

    assert client.get(token_url(app, f"{prefix}-wrong")).status_code == 404
    assert client.get(token_url(app, "nonsense")).status_code == 404
    assert client.get(token_url(other, raw)).status_code == 404

    _, rotated = feed_token_issue(user=member, app=app)
    assert client.get(token_url(app, raw)).status_code == 404
    assert client.get(token_url(app, rotated)).status_code == 200

    assert feed_token_revoke(user=member, app=app) == 1
    assert client.get(token_url(app, rotated)).status_code == 404
    revoked = LogEntry.objects.filter(change_message__startswith="Revoked feed token")
    assert revoked.count() == 2


def test_token_stops_when_its_member_leaves_or_the_customer_is_suspended(client, app, versions):
    member = customer_admin(app.customer)
    _, raw = feed_token_issue(user=member, app=app)
    assert client.get(token_url(app, raw)).status_code == 200

    app.customer.status = CustomerStatus.SUSPENDED
    app.customer.save()
    assert client.get(token_url(app, raw)).status_code == 404

    app.customer.status = CustomerStatus.ACTIVE
    app.customer.save()
    Membership.objects.filter(user=member).delete()
    assert client.get(token_url(app, raw)).status_code == 404


def test_entries_say_when_a_version_is_acknowledged_or_takes_effect(client, app, versions):
    _, second, third = versions
    headers = api_key_header(app.customer, scopes=["rules"])
    before = parsed(client.get(feed_url(app), **headers)).entries[0]

    acknowledged = client.post(
        f"/api/v1/apps/{app.app_id}/rules/{third.version}/ack",
        **api_key_header(app.customer, scopes=["rules"]),
    )
    assert acknowledged.status_code == 200, acknowledged.content
    newest, middle, _ = parsed(client.get(feed_url(app), **headers)).entries
    assert newest.summary.splitlines()[1].startswith("Acknowledged ")
    assert newest.summary.splitlines()[1].endswith(": in effect for SDKs.")
    assert newest.updated_parsed >= before.updated_parsed
    assert newest.id == before.id
    # The version before is superseded by the acknowledged one: in effect from then on.
    second.activation.refresh_from_db()
    since = second.activation.activated_at
    assert since is not None and since < second.activation.effective_at
    assert middle.summary.splitlines()[1] == f"In effect for SDKs since {since:%Y-%m-%d %H:%M} UTC."


def test_an_entry_says_when_its_date_passes(client, app, versions):
    _, second, _ = versions
    headers = api_key_header(app.customer, scopes=["rules"])

    with time_machine.travel(second.activation.effective_at + timedelta(minutes=1)):
        middle = parsed(client.get(feed_url(app), **headers)).entries[1]
    at = second.activation.effective_at
    assert middle.summary.splitlines()[1] == f"In effect for SDKs since {at:%Y-%m-%d %H:%M} UTC."
