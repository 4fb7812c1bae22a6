import pytest

from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from rules.models import RuleExport
from rules.tasks import rule_exports_render_task
from tests.rules.conftest import allocation_with

pytestmark = pytest.mark.django_db


def test_the_task_renders_every_format_once(app):
    allocation_with(app, addresses=["192.0.2.1", "2001:db8::1"])
    rule_set = app_rule_set_publish(app=app)
    result = rule_exports_render_task.apply(args=[rule_set.pk]).get()
    assert result == [f"{name}:rendered" for name in FORMATS]
    stored = dict(RuleExport.objects.values_list("format_name", "sha256"))
    assert set(stored) == set(FORMATS)
    # Idempotent: a retry (e.g. after a worker died) renders nothing new.
    rule_exports_render_task.apply(args=[rule_set.pk]).get()
    assert dict(RuleExport.objects.values_list("format_name", "sha256")) == stored
    assert RuleExport.objects.count() == len(FORMATS)


def test_the_task_ignores_a_rule_set_that_is_gone():
    assert rule_exports_render_task.apply(args=[987654]).get() == []
