import pytest
from django.urls import reverse

from provisioning.services.publishing import app_rule_set_publish
from rules.services.exports import rule_export_get_or_render
from tests.factories import AppFactory, StaffUserFactory
from tests.rules.conftest import EDGE_PORTS, allocation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = StaffUserFactory(is_superuser=True)
    client.force_login(user)
    return client


def test_rule_sets_are_searchable_by_app_id_and_read_only(admin_client, app):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    rule_set = app_rule_set_publish(app=app)
    other = AppFactory()
    allocation_with(other, addresses=["192.0.2.7"], ports=EDGE_PORTS)
    app_rule_set_publish(app=other)

    listing = admin_client.get(reverse("admin:rules_ruleset_changelist"), {"q": app.app_id})
    assert listing.status_code == 200
    assert app.app_id in listing.text and other.app_id not in listing.text

    detail = admin_client.get(reverse("admin:rules_ruleset_change", args=[rule_set.pk]))
    assert detail.status_code == 200
    assert "192.0.2.1/32" in detail.text  # entries inline
    assert 'name="_save"' not in detail.text
    assert admin_client.get(reverse("admin:rules_ruleset_add")).status_code == 403


def test_exports_are_searchable_by_app_id(admin_client, app):
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    export = rule_export_get_or_render(rule_set=app_rule_set_publish(app=app), format_name="txt")
    listing = admin_client.get(reverse("admin:rules_ruleexport_changelist"), {"q": app.app_id})
    assert listing.status_code == 200 and "txt" in listing.text
    detail = admin_client.get(reverse("admin:rules_ruleexport_change", args=[export.pk]))
    assert detail.status_code == 200 and export.sha256 in detail.text
