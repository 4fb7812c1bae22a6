import pytest

from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from rules.choices import ExportStatus
from rules.exports.base import Format
from rules.exports.registry import FORMATS
from rules.models import RuleExport, RuleSet
from rules.services.exports import rule_exports_render_all
from tests.factories import AppFactory, CustomerFactory
from tests.provisioning.api.helpers import api_key_header, live_set


@pytest.fixture
def app(db):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10"], edge_addresses=["198.51.100.7"])
    return app


@pytest.fixture
def first(app):
    return app_rule_set_publish(app=app)


@pytest.fixture
def headers(app):
    return api_key_header(app.customer, scopes=["rules"])


def url(app, suffix=""):
    return f"/api/v1/apps/{app.app_id}/rules/{suffix}"


def test_version_check_names_the_latest(client, app, first, headers):
    body = client.get(url(app, "version/"), **headers).json()

    assert body == {
        "app_id": app.app_id,
        "version": first.version,
        "sha256": first.sha256,
        "created_at": body["created_at"],
    }


def test_no_rule_set_yet_is_404(client, db):
    app = AppFactory()

    response = client.get(url(app, "version/"), **api_key_header(app.customer, scopes=["rules"]))

    assert response.status_code == 404
    assert response.json()["code"] == "no_rule_set"


def test_versions_list_newest_first(client, app, first, headers):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)

    body = client.get(url(app), **headers).json()

    assert [v["version"] for v in body["results"]] == [second.version, first.version]


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_format_downloads_with_disposition_and_etag(client, app, first, headers, format_name):
    response = client.get(url(app, "latest/"), {"format": format_name}, **headers)

    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(FORMATS[format_name].mime_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert first.version in response["Content-Disposition"]
    assert response["ETag"].startswith('"')
    assert b"192.0.2.10" in response.content or format_name == "ip6tables"


def test_download_by_version_and_304(client, app, first, headers):
    response = client.get(url(app, f"{first.version}/"), {"format": "csv"}, **headers)
    again = client.get(
        url(app, f"{first.version}/"),
        {"format": "csv"},
        HTTP_IF_NONE_MATCH=response["ETag"],
        **headers,
    )

    assert response.status_code == 200
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]


def test_a_weak_or_listed_etag_also_answers_304_and_a_stale_one_the_file(
    client, app, first, headers
):
    etag = client.get(url(app, "latest/"), {"format": "csv"}, **headers)["ETag"]

    def status(if_none_match):
        response = client.get(
            url(app, "latest/"), {"format": "csv"}, HTTP_IF_NONE_MATCH=if_none_match, **headers
        )
        return response.status_code

    assert status(f"W/{etag}") == 304
    assert status(f'"stale", {etag}') == 304
    assert status('"stale"') == 200


def test_unknown_format_and_version(client, app, first, headers):
    bad_format = client.get(url(app, "latest/"), {"format": "excel"}, **headers)
    bad_version = client.get(url(app, "2001010101/"), **headers)
    garbage_version = client.get(url(app, "garbage/"), **headers)

    assert bad_format.status_code == 400
    assert "format" in bad_format.json()["fields"]
    assert bad_version.status_code == 404
    assert garbage_version.status_code == 404


def test_changes_since_a_version(client, app, first, headers):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)

    body = client.get(url(app, "changes/"), {"since": first.version}, **headers).json()

    assert body["latest"] == second.version
    added = {c["destination"] for c in body["changes"] if c["disposition"] == "added"}
    assert any(d.startswith("203.0.113.5") for d in added)


def test_changes_needs_a_well_formed_since(client, app, first, headers):
    response = client.get(url(app, "changes/"), {"since": "yesterday"}, **headers)

    assert response.status_code == 400
    assert "since" in response.json()["fields"]


def test_formats_list(client, db):
    body = client.get(
        "/api/v1/formats/", **api_key_header(CustomerFactory(), scopes=["rules"])
    ).json()

    assert {f["name"] for f in body["results"]} == set(FORMATS)


def test_rules_need_the_rules_scope(client, app, first):
    response = client.get(url(app, "version/"), **api_key_header(app.customer, scopes=["read"]))

    assert response.status_code == 403


def test_sdk_version_follows_the_rule_set(client, app, first):
    from django.core.cache import cache

    cache.clear()
    body = client.get("/api/v1/sdk/proxy-config", {"app_id": app.app_id}).json()

    assert body["version"] == first.version


@pytest.mark.parametrize("name", ["nftables", "iptables", "srx", "ciscoasa", "fortigate"])
def test_changes_give_the_commands_from_a_version_to_the_latest(client, app, first, headers, name):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)

    query = {"since": first.version, "format": name}
    body = client.get(url(app, "changes/"), query, **headers).json()

    commands = body["commands"]
    assert commands["format"] == name and commands["incremental"] is True
    assert f"from version {first.version} to {second.version}" in commands["content"]
    assert "203.0.113.5" in commands["content"]


@pytest.mark.parametrize("name", ["srx", "ciscoasa", "fortigate", "windows", "gce", "aws"])
def test_changes_of_a_replacing_format_are_the_stored_file_rendered_once(
    client, app, first, headers, name, monkeypatch
):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)
    rule_exports_render_all(rule_set_id=second.pk)
    # The shell scripts keep their first line first, above the delta's header.
    stored = RuleExport.objects.get(rule_set=second, format_name=name).content
    stored = stored.removeprefix("#!/bin/bash\n")

    def render_again(self, document):
        raise AssertionError(f"{self.name} of {document.version} rendered again")

    monkeypatch.setattr(Format, "_render", render_again)
    query = {"since": first.version, "format": name}
    body = client.get(url(app, "changes/"), query, **headers).json()

    assert body["commands"]["incremental"] is True
    assert body["commands"]["content"].endswith(stored)


def test_changes_of_a_replacing_format_store_the_file_when_no_worker_has(
    client, app, first, headers
):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    second = app_rule_set_publish(app=app)
    RuleExport.objects.filter(rule_set=second).delete()

    query = {"since": first.version, "format": "srx"}
    body = client.get(url(app, "changes/"), query, **headers).json()

    export = RuleExport.objects.get(rule_set=second, format_name="srx")
    assert export.status == ExportStatus.RENDERED
    assert body["commands"]["content"].endswith(export.content)
    assert "203.0.113.5" in export.content


@pytest.mark.parametrize("name", ["nftables", "iptables", "srx"])
def test_changes_from_a_version_holding_an_unsafe_row_are_409_not_commands(
    client, app, first, headers, name
):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    app_rule_set_publish(app=app)
    # Straight at the database: the older version holds a network no input accepts.
    unsafe = "10.0.0.0/8\nflush ruleset"
    RuleSet.objects.filter(pk=first.pk).update(source_networks=[unsafe])

    query = {"since": first.version, "format": name}
    response = client.get(url(app, "changes/"), query, **headers)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "export_failed" and "commands" not in body
    assert "not a canonical network" in body["message"]
    listed = client.get(url(app, "changes/"), {"since": first.version}, **headers)
    assert listed.status_code == 200 and "commands" not in listed.json()


def test_changes_say_when_a_format_has_no_incremental_commands(client, app, first, headers):
    live_set(app, kind=AllocationKind.PRODUCTION, addresses=["203.0.113.5"])
    app_rule_set_publish(app=app)

    query = {"since": first.version, "format": "paloalto"}
    body = client.get(url(app, "changes/"), query, **headers).json()

    assert body["commands"]["incremental"] is False
    assert "no incremental commands" in body["commands"]["content"]
    bad = client.get(url(app, "changes/"), {"since": first.version, "format": "x"}, **headers)
    assert bad.status_code == 400 and "format" in bad.json()["fields"]
