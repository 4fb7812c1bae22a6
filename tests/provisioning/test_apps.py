import pytest
from django.core.exceptions import ValidationError

from provisioning.models import Region
from provisioning.services.apps import app_source_networks_set
from provisioning.services.lifecycle import request_allocate_test
from rules.selectors import rule_set_latest
from tests.factories import AppFactory, request_for

pytestmark = pytest.mark.django_db


def test_setting_source_networks_is_validated_and_changes_nothing_when_invalid():
    app = AppFactory(source_networks=["10.1.0.0/16"])

    with pytest.raises(ValidationError) as excinfo:
        app_source_networks_set(app=app, source_networks=["10.1.0.1/16"])

    assert "source_networks" in excinfo.value.message_dict
    app.refresh_from_db()
    assert app.source_networks == ["10.1.0.0/16"]


def test_setting_source_networks_on_an_app_without_service_publishes_nothing():
    app = AppFactory()

    app_source_networks_set(app=app, source_networks=["192.168.10.0/24"])

    app.refresh_from_db()
    assert app.source_networks == ["192.168.10.0/24"]
    assert rule_set_latest(app=app) is None


def test_setting_source_networks_publishes_rules_with_the_new_source(reference_data):
    app = AppFactory()
    request_allocate_test(request=request_for(app, regions=[Region.objects.get(code="na")]))
    before = rule_set_latest(app=app)

    app_source_networks_set(app=app, source_networks=["192.168.10.0/24"])

    after = rule_set_latest(app=app)
    assert before is not None and after.version > before.version
    assert after.sha256 != before.sha256
    assert "192.168.10.0/24" in str(after.source_networks)
