import io

import pytest
from django.core.management import CommandError, call_command

from provisioning.choices import AllocationKind
from provisioning.services.publishing import app_rule_set_publish
from tests.rules.conftest import EDGE_PORTS, allocation_with

pytestmark = pytest.mark.django_db


def export_rules(*args) -> str:
    out = io.StringIO()
    call_command("export_rules", *args, stdout=out)
    return out.getvalue()


def test_writes_the_latest_version_or_the_one_asked_for(app):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    first = app_rule_set_publish(app=app)
    allocation_with(
        app, kind=AllocationKind.PRODUCTION, addresses=["198.51.100.1"], ports=EDGE_PORTS
    )
    second = app_rule_set_publish(app=app)

    latest = export_rules(app.app_id, "--format", "nftables")
    assert f"version {second.version}" in latest and "198.51.100.1/32" in latest
    older = export_rules(app.app_id, "--format", "nftables", "--version", first.version)
    assert f"version {first.version}" in older and "198.51.100.1" not in older
    assert older.endswith("\n") and not older.endswith("\n\n")


def test_clear_errors(app):
    with pytest.raises(CommandError, match="no published rule set"):
        export_rules(app.app_id, "--format", "json")
    with pytest.raises(CommandError, match="No app"):
        export_rules("f" * 32, "--format", "json")
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    app_rule_set_publish(app=app)
    with pytest.raises(CommandError, match="no rule set version '2001010101'"):
        export_rules(app.app_id, "--format", "json", "--version", "2001010101")
    with pytest.raises(CommandError, match="invalid choice"):
        export_rules(app.app_id, "--format", "pf")
