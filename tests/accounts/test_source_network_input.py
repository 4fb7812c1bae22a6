"""Source networks are refused at every entry point unless they are plain CIDR text, and
stored canonical; rows that bypass validation still never reach a file."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.models import ApiKey, App
from accounts.services.api_keys import api_key_authenticate
from accounts.validators import source_networks_canonical
from config.middleware import NUL
from provisioning.models import ProvisioningRequest, Region
from provisioning.services.apps import app_source_networks_set
from provisioning.services.publishing import app_rule_set_publish
from rules.exports.registry import FORMATS
from rules.models import RuleSet
from rules.services.exports import rule_export_get_or_render
from tests.factories import AppFactory, CustomerFactory, MembershipFactory, StaffUserFactory
from tests.provisioning.api.helpers import api_key_header
from tests.rules.conftest import allocation_with

pytestmark = pytest.mark.django_db

# One of each character class that must never pass: scope IDs (which Python's ipaddress
# accepts), quotes, command substitution, backticks, ";", newlines, NUL, Unicode line
# separators, and host bits.
REFUSED = [
    "2001:db8::%eth0/64",
    "2001:db8:1:2::%'+$(calc)+'/64",
    "10.0.0.0/8'",
    '10.0.0.0/8"',
    "$(reboot)",
    "`id`",
    "10.0.0.0/8;",
    "10.0.0.0/8\nadd rule inet filter output accept",
    "10.0.0.0/8\x00",
    "10.0.0.0/8\u2028",
    "10.0.0.0/8\u0085",
    "10.1.2.3/16",
]


@pytest.mark.parametrize("value", REFUSED)
def test_the_validator_refuses_every_unsafe_character_class(value):
    with pytest.raises(ValidationError) as caught:
        source_networks_canonical([value])
    assert "is not a network in CIDR notation" in caught.value.messages[0]
    # The message escapes what it quotes: no raw control or line-breaking character.
    assert not any(ch in caught.value.messages[0] for ch in "\n\x00\u2028\u0085")


def test_networks_are_stored_canonical_and_capped(settings):
    assert source_networks_canonical(["2001:DB8::/32", "10.0.0.1", "2001:db8::/32"]) == [
        "2001:db8::/32",
        "10.0.0.1/32",
    ]
    settings.SOURCE_NETWORKS_MAX = 2
    with pytest.raises(ValidationError, match="at most 2 source networks"):
        source_networks_canonical(["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"])


def test_the_service_stores_canonical_networks_and_publishes():
    app = AppFactory()
    app_source_networks_set(app=app, source_networks=["2001:DB8:0::/48", "192.0.2.0/24"])
    app.refresh_from_db()
    assert app.source_networks == ["2001:db8::/48", "192.0.2.0/24"]
    with pytest.raises(ValidationError) as caught:
        app_source_networks_set(app=app, source_networks=["2001:db8::%x/48"])
    assert "source_networks" in caught.value.message_dict


@pytest.fixture
def customer_app():
    customer = CustomerFactory(slug="acme")
    return AppFactory(customer=customer)


def _patch(client, app, body, **headers):
    return client.patch(
        f"/api/v1/apps/{app.app_id}/", json.dumps(body), content_type="application/json", **headers
    )


@pytest.mark.parametrize("value", REFUSED)
def test_the_customer_api_refuses_with_a_field_error(client, customer_app, value):
    response = _patch(client, customer_app, {"source_networks": [value]},
                      **api_key_header(customer_app.customer))  # fmt: skip
    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert [key for key in fields if key.startswith("source_networks")], fields
    customer_app.refresh_from_db()
    assert customer_app.source_networks == []
    assert not RuleSet.objects.filter(app=customer_app).exists()


def test_the_customer_api_sets_canonical_networks_with_the_requests_scope(client, customer_app):
    allocation_with(customer_app, addresses=["192.0.2.1"])
    read_only = api_key_header(customer_app.customer, scopes=("read",))
    response = _patch(client, customer_app, {"source_networks": ["10.0.0.0/8"]}, **read_only)
    assert response.status_code == 403
    headers = api_key_header(customer_app.customer, scopes=("read", "requests"))
    body = {"source_networks": ["2001:DB8::/32", "10.0.0.0/8"]}
    response = _patch(client, customer_app, body, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["source_networks"] == ["2001:db8::/32", "10.0.0.0/8"]
    latest = RuleSet.objects.filter(app=customer_app).order_by("-version").first()
    assert latest.source_networks == ["10.0.0.0/8", "2001:db8::/32"]
    other = AppFactory()
    assert _patch(client, other, body, **headers).status_code == 404


# The portal's text box separates networks by commas, semicolons and ASCII whitespace.
PORTAL_REFUSED = [value for value in REFUSED if value != "10.0.0.0/8;"] + ["10.0.0.0/8;`id`"]


@pytest.mark.parametrize("value", PORTAL_REFUSED)
def test_the_portal_refuses_with_a_field_error(client, customer_app, reference_data, value):
    member = MembershipFactory(customer=customer_app.customer, role="admin").user
    client.force_login(member)
    region = Region.objects.order_by("pk").first()
    response = client.post(
        reverse("portal_request_create"),
        {"app": customer_app.app_id, "regions": [region.pk], "concurrency": "100",
         "source_networks": value},
    )  # fmt: skip
    assert response.status_code == 400
    if NUL in value:
        # NUL never reaches a form: the middleware refuses the whole request first.
        assert "400.html" in [template.name for template in response.templates]
    else:
        assert response.context["form"].errors["source_networks"]
    assert not ProvisioningRequest.objects.exists()


@pytest.mark.parametrize("value", REFUSED)
def test_the_admin_refuses_with_a_field_error(client, customer_app, value):
    client.force_login(StaffUserFactory(is_superuser=True))
    url = reverse("admin:accounts_app_change", args=[customer_app.pk])
    response = client.post(url, {
        "customer": customer_app.customer.pk, "name": customer_app.name,
        "status": customer_app.status, "source_networks": json.dumps([value]),
    })  # fmt: skip
    assert response.status_code == 200
    assert "source_networks" in response.context["adminform"].form.errors
    customer_app.refresh_from_db()
    assert customer_app.source_networks == []


def test_notes_are_capped_in_the_api(client, customer_app, settings, reference_data):
    region = Region.objects.order_by("pk").first()
    body = {"app_id": customer_app.app_id, "regions": [region.code], "concurrency": 10,
            "notes": "x" * (settings.NOTES_MAX_LENGTH + 1)}  # fmt: skip
    response = client.post("/api/v1/requests/", json.dumps(body), content_type="application/json",
                           **api_key_header(customer_app.customer))  # fmt: skip
    assert response.status_code == 400
    assert "notes" in response.json()["fields"]


@pytest.mark.parametrize("value", ["2001:db8::%'+$(calc)+'/64", "10.0.0.0/8\nflush ruleset"])
def test_rows_that_bypass_validation_never_reach_a_file(value):
    app = AppFactory()
    allocation_with(app, addresses=["192.0.2.1", "2001:db8::1"])
    rule_set = app_rule_set_publish(app=app)
    # Straight at the database: the stored rule set itself holds the unsafe network.
    RuleSet.objects.filter(pk=rule_set.pk).update(source_networks=["10.0.0.0/8", value])
    rule_set.refresh_from_db()
    for name in FORMATS:
        with pytest.raises(Exception, match="cannot be rendered"):
            rule_export_get_or_render(rule_set=rule_set, format_name=name)
    # Publishing from an app row that bypassed validation drops the unsafe network.
    App.objects.filter(pk=app.pk).update(source_networks=[value, "fd00::/8"])
    app.refresh_from_db()
    published = app_rule_set_publish(app=app)
    assert published.source_networks == ["fd00::/8"]
    content = rule_export_get_or_render(rule_set=published, format_name="nftables").content
    assert "calc" not in content and "flush ruleset" not in content


def test_ops_issue_an_api_key_from_the_command_line(customer_app):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_key", "acme", "--scope", "read", "--scope", "requests",
                 stdout=out, stderr=err)  # fmt: skip
    raw_key = out.getvalue().strip()
    assert api_key_authenticate(raw_key=raw_key).scopes == ["read", "requests"]
    assert raw_key not in err.getvalue()
    assert ApiKey.objects.get().key_hash != raw_key
