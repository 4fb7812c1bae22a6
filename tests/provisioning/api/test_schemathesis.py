"""Generated and hand-picked requests against the API as its schema describes it: never a
server error, only documented status codes, JSON errors in the one error shape.

schemathesis draws 200 requests per operation, valid and invalid ones, with generated and
with real ids, for a customer's API key and for an ops user (HTTP Basic), in-process on the
WSGI application. Explicit cases add NUL bytes in every parameter, far and impossible time
zones and malformed headers. Generation is derandomized, so a run is repeatable.
"""

import base64

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from provisioning.services.publishing import app_rule_set_publish
from tests.factories import AppFactory, staff_member
from tests.provisioning.api.helpers import api_key_header, basic_auth_header, live_set
from webhooks.services.endpoints import webhook_endpoint_create
from webhooks.services.events import webhook_test_send

pytestmark = pytest.mark.fuzz

# The floor: at least this many generated requests per operation and caller.
MAX_EXAMPLES = 200
# PATCH apps/{app_id}/ sets source networks; certificates/secondary/ (POST, DELETE) and
# certificates/secondary/promote/ rotate the app certificate; changes: list, create, detail;
# webhooks: list, create, detail, change, delete, rotate, test, deliveries, resend;
# rules: acknowledge a version, the feed (Atom); connectivity: reports list and create, probe.py.
OPERATIONS = 37
NUL_CASES = 51
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CALLERS = ["customer", "ops"]


@pytest.fixture
def world(db, settings):
    """A customer with a served app and rule set, and an ops user, with their headers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    app = AppFactory()
    allocation = live_set(app, addresses=["192.0.2.10"], edge_addresses=["198.51.100.7"])
    rule_set = app_rule_set_publish(app=app)
    endpoint, _ = webhook_endpoint_create(
        app=app, url="https://hooks.example.com/proxy", events=["rules.version_published"]
    )
    delivery = webhook_test_send(endpoint=endpoint)  # sent on commit: never, in a test
    staff_member("ops", username="schema-ops")
    return {
        "customer": {"Authorization": api_key_header(app.customer)["HTTP_AUTHORIZATION"]},
        "ops": {"Authorization": basic_auth_header("schema-ops")["HTTP_AUTHORIZATION"]},
        "known": {
            "app_id": app.app_id,
            "version": rule_set.version,
            "id": allocation.request_id,
            "delivery_id": delivery.pk,
        },
    }


@pytest.fixture
def api_schema(db, settings):
    """The served schema, loaded from and driving the WSGI application in-process."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: keep the test's connection (and transaction) open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # A fresh handler, so its middleware sees this test's settings.
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(api_schema) -> list:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == OPERATIONS
    return operations


def _fuzz(operation, headers: dict, known: dict) -> tuple[int, str | None]:
    """Send MAX_EXAMPLES generated requests to ``operation``; return how many were sent and
    the failure hypothesis found, if any (shrunk to the smallest request)."""
    names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in known.items() if name in names}
    strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    if fixed:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            for mode in GenerationMode
        ]
    sent = []

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        # Generation only (no stored examples, no explanation); a failure is still shrunk.
        phases=[Phase.generate, Phase.shrink],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        sent.append(case)
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:
        return len(sent), f"{operation.label}: {failure}"
    return len(sent), None


@pytest.mark.parametrize("caller", CALLERS)
def test_generated_requests_get_no_server_error(api_schema, world, caller):
    failures, short = [], []
    for operation in _operations(api_schema):
        sent, failure = _fuzz(operation, world[caller], world["known"])
        if failure:
            failures.append(failure)
        elif sent < MAX_EXAMPLES:
            short.append(f"{operation.label}: {sent}")

    assert not failures, "\n\n".join(failures)
    assert not short, short


NUL = "a\x00b"
# Ids no row has or a database column can't hold: negative, past bigint, not numbers.
BAD_IDS = ["0", "-1", "99999999999999999999", "1e3", "0x10", " 7", "\u0663", "%"]
# Offsets past what PostgreSQL holds (±15:59), impossible dates and zones no database knows.
TIMESTAMPS = [
    "2024-01-01T00:00:00+16:00",
    "2024-01-01T00:00:00-23:59",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00+99:99",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-10:00",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00 Europe/Nowhere",
    "2024-01-01T00:00:00[Mars/Olympus_Mons]",
    "2024-02-30T00:00:00+01:00",
    "2024-01-01T25:00:00Z",
    "-2024-01-01T00:00:00Z",
]


def _send(case, headers: dict, expected: set[int]):
    """Send ``case`` with the schema's checks; the answer is one of ``expected``, a JSON
    error in the error shape unless it is a success."""
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    described = f"{case.operation.label} {case.path_parameters} {case.query} {case.body!r}"
    assert response.status_code in expected, (described, response.status_code)
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message"}, described
    return response


def _path(operation, known: dict, **override) -> dict:
    """Return path parameters of ``operation``: real ids, with ``override`` on top."""
    values = {p.name: known.get(p.name, "approve") for p in operation.path_parameters}
    return {**values, **override}


def _nul_cases(operation, known: dict):
    """Yield requests of ``operation`` with NUL in one path, query or header parameter."""
    for parameter in operation.path_parameters:
        yield operation.Case(path_parameters=_path(operation, known, **{parameter.name: NUL}))
    for location, parameters in (("query", operation.query), ("headers", operation.headers)):
        # The caller's Authorization wins over the schema's; malformed ones are tested apart.
        for parameter in (p for p in parameters if p.name.lower() != "authorization"):
            yield operation.Case(
                path_parameters=_path(operation, known), **{location: {parameter.name: NUL}}
            )


@pytest.mark.parametrize("caller", CALLERS)
def test_nul_in_any_parameter_is_400(api_schema, world, caller):
    sent = 0
    for operation in _operations(api_schema):
        for case in _nul_cases(operation, world["known"]):
            response = _send(case, world[caller], {400})
            assert response.json()["code"] == "bad_request"
            sent += 1

    # Every path, query and header parameter of the operations: 51 of them with 26
    # operations (the connectivity ones have only the App ID).
    assert sent >= NUL_CASES


BODIES = {
    "POST /api/v1/requests/": [
        {"app_id": "{app_id}", "regions": [NUL], "concurrency": 5},
        {"app_id": "{app_id}", "regions": ["na"], "isps": [NUL], "concurrency": 5},
        {"app_id": "{app_id}", "regions": ["na"], "concurrency": 5, "notes": NUL},
        {"app_id": NUL, "regions": ["na"], "concurrency": 5},
    ],
    "PATCH /api/v1/apps/{app_id}/": [
        {"source_networks": [NUL]},
        {"source_networks": ["10.0.0.0/8\x00"]},
    ],
    "POST /api/v1/requests/{id}/{action}/": [{"reason": NUL}],
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("media_type", ["application/json", "application/x-www-form-urlencoded"])
def test_nul_in_a_body_field_is_a_client_error(api_schema, world, caller, media_type):
    app_id = world["known"]["app_id"]
    for label, bodies in BODIES.items():
        operation = api_schema[label.split()[1]][label.split()[0]]
        for body in bodies:
            body = {k: app_id if v == "{app_id}" else v for k, v in body.items()}
            case = operation.Case(
                path_parameters=_path(operation, world["known"]), body=body, media_type=media_type
            )
            response = _send(case, world[caller], {400, 403, 404})
            if response.status_code == 400:
                assert response.json()["code"] in {"invalid", "bad_request"}, (label, body)


@pytest.mark.parametrize("caller", CALLERS)
def test_bad_ids_in_the_path_are_client_errors(api_schema, world, caller):
    for operation in _operations(api_schema):
        # A task no worker has recorded yet reads as PENDING, as in Celery.
        expected = {200, 403} if operation.path == "/api/v1/tasks/{task_id}/" else {400, 403, 404}
        for parameter in operation.path_parameters:
            for bad in BAD_IDS:
                path = _path(operation, world["known"], **{parameter.name: bad})
                _send(operation.Case(path_parameters=path), world[caller], expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_time_zones_are_taken_or_refused_by_field(api_schema, world, caller):
    operation = api_schema["/api/v1/requests/"]["GET"]
    for name in ("created_after", "created_before"):
        for value in TIMESTAMPS:
            response = _send(operation.Case(query={name: value}), world[caller], {200, 400})
            if response.status_code == 400:
                assert name in response.json()["fields"], (name, value)


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


MALFORMED_AUTHORIZATION = [
    "",
    "Basic",
    "Basic !!!not-base64",
    _basic(b"no-colon"),
    _basic(b"\xff\xfe:\xff"),
    _basic(b"a\x00b:c"),
    _basic(b"schema-ops:wrong"),
    "Api-Key",
    "Api-Key a b",
    "Api-Key abc.def",
    "Api-Key " + "x" * 5000,
    "Api-Key \u00e9\u00e8",
    "Api-Key a\x00b",
    "Bearer x",
    "Token x",
    "\x00",
]


def test_malformed_authorization_is_400_or_401(api_schema, world):
    for operation in _operations(api_schema):
        # The SDK endpoint is public; its App token errors have their own test.
        if operation.path == "/api/v1/sdk/proxy-config":
            continue
        case = operation.Case(path_parameters=_path(operation, world["known"]))
        for value in MALFORMED_AUTHORIZATION:
            response = _send(case, {"Authorization": value}, {400, 401})
            assert response.json()["code"] != "server_error", (operation.label, value)
