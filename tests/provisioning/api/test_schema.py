"""The OpenAPI schema is valid, and the API honours it under generated requests."""

import base64

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provisioning.services.publishing import app_rule_set_publish
from tests.factories import AppFactory, StaffUserFactory
from tests.provisioning.api.helpers import api_key_header, live_set

# Generated examples per operation and caller; small, so the suite stays quick.
MAX_EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    docs = client.get("/api/docs/")

    assert schema["openapi"].startswith("3.")
    assert "/api/v1/sdk/proxy-config" in schema["paths"]
    assert "/api/v1/requests/{id}/{action}/" in schema["paths"]
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_every_operation_documents_its_errors(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = [code for code in operation["responses"] if code.startswith("4")]
            assert errors, f"{method.upper()} {path} documents no error answers"
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def world(db, settings):
    """A customer with a served app and rule set, and a staff user, with their headers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app = AppFactory()
    allocation = live_set(app, addresses=["192.0.2.10"], edge_addresses=["198.51.100.7"])
    rule_set = app_rule_set_publish(app=app)
    StaffUserFactory(username="schema-staff")
    basic = base64.b64encode(b"schema-staff:correct horse battery").decode()
    return {
        "customer": {"Authorization": api_key_header(app.customer)["HTTP_AUTHORIZATION"]},
        "staff": {"Authorization": f"Basic {basic}"},
        "known": {
            "app_id": app.app_id,
            "version": rule_set.version,
            "id": allocation.request_id,
        },
    }


@pytest.fixture
def api_schema(db, settings, client):
    """The served schema, driving the WSGI application in-process."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    document = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schema = schemathesis.openapi.from_dict(document)
    # A fresh handler, so its middleware sees this test's settings.
    schema.app = WSGIHandler()
    # As Django's test client does: keep the test's connection (and transaction) open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _exercise(operation, headers, path_parameters=None) -> int:
    """Call ``operation`` with generated requests; return how many were made."""
    strategy = operation.as_strategy(path_parameters=path_parameters or None)
    calls = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)
        calls.append(case)

    run()
    return len(calls)


@pytest.mark.parametrize("caller", ["customer", "staff"])
def test_api_conforms_to_its_schema(api_schema, world, caller):
    operations, calls = 0, 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        known = {name: value for name, value in world["known"].items() if name in names}
        calls += _exercise(operation, world[caller])
        if known:
            calls += _exercise(operation, world[caller], known)
        operations += 1

    # PATCH apps/{app_id}/ sets source networks; certificates/secondary/ (POST, DELETE) and
    # certificates/secondary/promote/ rotate the app certificate; changes: 3.
    assert operations == 23
    assert calls >= operations * 2
