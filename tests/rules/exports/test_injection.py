"""Customer text (app, customer names, request notes) cannot inject rules in any format."""

import json

import pytest

from accounts.models import App
from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from rules.services.exports import rule_export_get_or_render
from tests.factories import AppFactory, CustomerFactory
from tests.rules.conftest import allocation_with, open_request
from tests.rules.exports.validators import VALIDATORS, validate

MARKER = "INJECTED"
EVIL = (
    f'Evil"; }} {{ accept; -A OUTPUT -j ACCEPT\n*filter\nCOMMIT\n'
    f'add rule inet filter output accept comment "{MARKER}" \' `$(reboot)` {{{MARKER}}}\r\n'
    f"</ip-netmask><!-- {MARKER} --> & set action accept; next\nend"
)


@pytest.fixture
def evil_export_source(db):
    customer = CustomerFactory(name=EVIL)
    app = AppFactory(customer=customer, name=EVIL)
    allocation_with(app, addresses=["192.0.2.1", "2001:db8::1"])
    request = open_request(app)
    request.notes = EVIL
    request.save()
    App.objects.filter(pk=app.pk).update(source_networks=["10.0.0.0/8", "fd00::/8"])
    app.refresh_from_db()
    return app_rule_set_publish(app=app)


@pytest.mark.parametrize("name", list(FORMATS))
def test_customer_text_never_reaches_a_file_unescaped(evil_export_source, name):
    export = rule_export_get_or_render(rule_set=evil_export_source, format_name=name)
    content = export.content
    assert export.status == "rendered", export.error
    if name == "json":
        # JSON carries the app's name, escaped: it reads back as the same text.
        body = json.loads(content)
        assert body["app_name"] == EVIL
        content = content.replace(json.dumps(EVIL)[1:-1], "")
    assert MARKER not in content
    assert "Evil" not in content
    assert "reboot" not in content


@pytest.mark.parametrize("name", list(VALIDATORS))
def test_netfilter_files_of_an_evil_named_app_still_validate(evil_export_source, name):
    export = rule_export_get_or_render(rule_set=evil_export_source, format_name=name)
    result = validate(VALIDATORS[name], export.content)
    assert result.returncode == 0, result.stderr
