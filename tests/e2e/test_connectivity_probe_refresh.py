"""The probe against the live service: --refresh tries the latest version's entries rather
than those it was downloaded with, and --report stores the result under that version."""

import json

import pytest

from provisioning.models import ConnectivityReport
from provisioning.services.publishing import app_rule_set_publish
from tests.factories import AppFactory, UserFactory
from tests.provisioning.api.helpers import api_key_header, live_set
from tests.provisioning.connectivity import peers
from tests.provisioning.connectivity.helpers import app_with_rules, ports, run_script
from tests.provisioning.connectivity.test_probe_script import free_range

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_refresh_tries_the_latest_rules_and_report_stores_them(live_server, client, tmp_path):
    port = free_range(1)
    sockets = [peers.listen(address, "tcp", port) for address in ("127.0.0.2", "127.0.0.3")]
    app = AppFactory()
    first = app_with_rules(app, {"127.0.0.2": ports(("tcp", port))})
    key = api_key_header(app.customer, scopes=("rules",), created_by=UserFactory())
    probe = tmp_path / "probe.py"
    probe.write_bytes(client.get(f"/api/v1/apps/{app.app_id}/connectivity/probe.py", **key).content)
    # A production set is added after the download: version 2 lists 127.0.0.3 too.
    allocation = live_set(app, kind="production", addresses=["127.0.0.3"])
    allocation.endpoints.update(ports=ports(("tcp", port)))
    latest = app_rule_set_publish(app=app)
    api_key = key["HTTP_AUTHORIZATION"].removeprefix("Api-Key ")
    try:
        stale = run_script(probe, "--json", "--timeout", "1")
        done = run_script(
            probe, "--json", "--refresh", "--report", "--timeout", "1",
            "--base-url", live_server.url, "--api-key", api_key,
        )  # fmt: skip
    finally:
        for sock in sockets:
            sock.close()

    assert [r["destination"] for r in json.loads(stale.stdout)] == ["127.0.0.2"]
    assert done.returncode == 0, done.stderr
    tried = json.loads(done.stdout)
    assert [(r["destination"], r["reachable"]) for r in tried] == [
        ("127.0.0.2", True),
        ("127.0.0.3", True),
    ]
    report = ConnectivityReport.objects.get(app=app)
    assert report.rule_set == latest != first
    assert report.passed and report.tried == 2
    assert f"Reported as #{report.pk}." in done.stderr
