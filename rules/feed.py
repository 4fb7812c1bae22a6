"""The Atom feed (RFC 4287) of an app's rule versions: what each added and removed, and
links to its rule files and changes. Built with Django's Atom generator, which escapes
every text (customer text included); characters XML cannot carry are replaced first.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import feedgenerator, timezone

from rules.change_text import (
    activation_text,
    activation_updated,
    change_headline,
    change_lines,
    xml_safe,
)
from rules.exports.registry import FORMATS

ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
FIRST_VERSION = "0000000000"  # ``since`` for the whole history
FEED_AUTHOR = "Cloud proxy provisioning"


class RuleFeed(feedgenerator.Atom1Feed):
    """Atom with a plain-text summary and several related links per entry."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        handler.addQuickElement("summary", item["summary_text"], {"type": "text"})
        for link in item["related"]:
            handler.addQuickElement("link", "", {"rel": "related", **link})

    def latest_post_date(self):
        if not self.items:
            return self.feed["quiet_since"]
        return super().latest_post_date()


def changes_page_path(app_id: str, previous: str | None) -> str:
    """Return the portal page that shows what a version changed since ``previous`` (its
    rules section for a first version)."""
    page = reverse("portal_app_detail", args=[app_id])
    return f"{page}?{urlencode({'since': previous})}#what-changed" if previous else f"{page}#rules"


def tag_uri(*, authority: str, date: datetime, specific: str) -> str:
    """Return a tag: URI (RFC 4151) minted by ``authority`` on ``date``."""
    return f"tag:{authority},{date.date().isoformat()}:{specific}"


def _entry_links(app_id: str, version_changes, absolute: Callable[[str], str]) -> list[dict]:
    version = version_changes.rule_set.version
    download = reverse("api:rule-download", kwargs={"app_id": app_id, "version": version})
    since = version_changes.previous or FIRST_VERSION
    changes = reverse("api:rule-changes", kwargs={"app_id": app_id})
    links = [
        {
            "href": absolute(f"{changes}?{urlencode({'since': since})}"),
            "type": "application/json",
            "title": f"Changes since {since}",
        }
    ]
    for fmt in sorted(FORMATS.values(), key=lambda fmt: fmt.name):
        links.append(
            {
                "href": absolute(f"{download}?{urlencode({'format': fmt.name})}"),
                "type": fmt.mime_type,
                "title": f"{fmt.label} rules, version {version}",
            }
        )
    return links


def _add_entry(feed, app, version_changes, *, absolute, tag_authority, now) -> None:
    rule_set = version_changes.rule_set
    headline = change_headline(version_changes.changes)
    summary = [f"Version {rule_set.version}: {headline}."]
    gate = activation_text(version_changes.activation, version=rule_set.version, now=now)
    if gate:
        summary.append(gate)
    if version_changes.previous:
        summary.append(f"Since version {version_changes.previous}:")
    feed.add_item(
        title=f"Version {rule_set.version}: {headline}",
        link=absolute(changes_page_path(app.app_id, version_changes.previous)),
        description=None,
        unique_id=tag_uri(
            authority=tag_authority,
            date=rule_set.created_at,
            specific=f"rules/{app.app_id}/{rule_set.version}",
        ),
        pubdate=rule_set.created_at,
        updateddate=activation_updated(
            version_changes.activation, published=rule_set.created_at, now=now
        ),
        summary_text=xml_safe("\n".join([*summary, *change_lines(version_changes.changes)])),
        related=_entry_links(app.app_id, version_changes, absolute),
    )


def feed_render(
    *,
    app,
    versions: Sequence,
    absolute: Callable[[str], str],
    self_url: str,
    tag_authority: str,
) -> str:
    """Return the Atom document of ``app``'s ``versions`` (``rules.selectors.VersionChanges``,
    newest first); ``absolute`` turns a path into a URL of this service."""
    page = absolute(reverse("portal_app_detail", args=[app.app_id])) + "#rules"
    feed = RuleFeed(
        title=xml_safe(f"Firewall rules of {app.name} ({app.app_id})"),
        link=page,
        description="",
        subtitle="Each version of the proxy addresses and ports to allow, and what it changed.",
        author_name=FEED_AUTHOR,
        feed_url=self_url,
        feed_guid=tag_uri(
            authority=tag_authority, date=app.created_at, specific=f"rules/{app.app_id}"
        ),
        quiet_since=app.created_at,
    )
    now = timezone.now()
    for version_changes in versions:
        _add_entry(feed, app, version_changes, absolute=absolute,
                   tag_authority=tag_authority, now=now)  # fmt: skip
    return feed.writeString("utf-8")
