"""The firewall rules section of the app page: pick the version to compare with, every
format of every version, numeric address order by environment, and staff's notes."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import App
from provisioning.choices import AllocationKind
from provisioning.selectors.portal_rules import app_rules_summary, destination_key
from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from rules.services.notes import rule_set_note_set
from tests.factories import staff_member
from tests.rules.conftest import allocation_release, allocation_with

pytestmark = pytest.mark.django_db
PRODUCTION = ("192.0.2.100", "192.0.2.9", "192.0.2.10", "2001:db8::10", "2001:db8::9")


@pytest.fixture
def versions(app: App):
    """Three versions: the test set; the test set and production; production alone."""
    test_set = allocation_with(app, kind=AllocationKind.TEST, addresses=["150.138.153.78"])
    v1 = app_rule_set_publish(app=app)
    allocation_with(app, kind=AllocationKind.PRODUCTION, addresses=PRODUCTION)
    v2 = app_rule_set_publish(app=app)
    allocation_release(test_set, when=timezone.now())
    v3 = app_rule_set_publish(app=app)
    return v1, v2, v3


def _page(client, app, **query):
    url = reverse("portal_app_detail", args=[app.app_id])
    return client.get(url, query).content.decode()


def _changes_table(html):
    return html.split('data-testid="rule-changes"', 1)[1].split("</table>", 1)[0]


def test_addresses_sort_as_numbers_not_text():
    assert sorted(
        ["192.0.2.100", "192.0.2.9", "10.0.0.0/8", "2001:db8::"], key=destination_key
    ) == [
        "10.0.0.0/8",
        "192.0.2.9",
        "192.0.2.100",
        "2001:db8::",
    ]


def test_the_latest_is_compared_with_the_version_before_by_default(member_client, app, versions):
    v2 = versions[1]

    html = _page(member_client, app)
    table = _changes_table(html)

    assert f"What changed since {v2.version}" in html
    assert "150.138.153.78" in table and "192.0.2.9" not in table  # v3 only ends the test set
    assert "\u2212 Removed" in table


def test_any_earlier_version_can_be_picked_and_changes_group_by_environment(
    member_client, app, versions
):
    v1, v2, v3 = versions

    html = _page(member_client, app, since=v1.version)
    table = _changes_table(html)

    picker = html.split('data-testid="version-picker"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{v1.version}" selected>' in picker
    assert f'<option value="{v2.version}">' in picker and f'value="{v3.version}"' not in picker
    production, test = table.split('data-environment="test"')
    assert 'data-environment="production"' in production and "150.138.153.78" in test
    shown = re.findall(r'data-label="Destination" class="mono">([^<]+)</td>', production)
    order = [destination.split("/")[0] for destination in dict.fromkeys(shown)]
    assert order == ["192.0.2.9", "192.0.2.10", "192.0.2.100", "2001:db8::9", "2001:db8::10"]


def test_an_unknown_version_to_compare_with_falls_back_to_the_previous_one(
    member_client, app, versions
):
    html = _page(member_client, app, since="<script>")

    assert f"What changed since {versions[1].version}" in html
    assert "<script>" not in html.split('id="rules"', 1)[1].split("</section>", 1)[0]


def test_every_version_offers_every_format(member_client, app, versions):
    html = _page(member_client, app)
    history = html.split('data-testid="rule-history"', 1)[1].split("</table>", 1)[0]

    for rule_set in versions:
        for name in FORMATS:
            url = reverse("portal_rules_download", args=[app.app_id, rule_set.version, name])
            assert f'href="{url}"' in history, (rule_set.version, name)
    old = reverse("portal_rules_download", args=[app.app_id, versions[0].version, "fortigate"])
    assert member_client.get(old).status_code == 200


def test_staff_notes_are_shown_with_their_version(member_client, app, versions):
    v1, v2, _ = versions
    rule_set_note_set(rule_set=v2, text="Production set <b>deployed</b>.", actor=staff_member())

    since_v1 = _page(member_client, app, since=v1.version)
    since_v2 = _page(member_client, app, since=v2.version)

    notes = since_v1.split('data-testid="version-notes"', 1)[1].split("</ul>", 1)[0]
    assert f"{v2.version}</strong>: Production set &lt;b&gt;deployed&lt;/b&gt;." in notes
    assert 'data-testid="version-notes"' not in since_v2  # v2 is not after v2
    history = since_v2.split('data-testid="rule-history"', 1)[1]
    assert "Production set &lt;b&gt;deployed&lt;/b&gt;." in history


def test_the_summary_without_any_version_is_empty(app):
    summary = app_rules_summary(app=app)

    assert summary.latest is None and summary.groups == [] and len(summary.formats) == 14
