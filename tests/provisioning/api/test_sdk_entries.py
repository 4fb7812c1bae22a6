"""The SDK endpoint's per-app cache entries: warmed in a few queries, rebuilt when what
feeds them changes, and served stale (or 503) while the database can't be reached."""

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.choices import AppStatus
from accounts.services.app_tokens import app_token_mint
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)
from provisioning.sdk import queries
from tests.e2e.faults import free_port
from tests.factories import AppFactory
from tests.provisioning.api.helpers import live_set, redis_caches
from tests.provisioning.api.helpers import sdk_get as get


@pytest.fixture
def app(db):
    app = AppFactory()
    live_set(app, addresses=["192.0.2.10", "192.0.2.11"])
    return app


def test_warming_builds_every_app_in_a_few_queries(client, app):
    others = [AppFactory() for _ in range(3)]
    for other in others:
        live_set(other, addresses=["192.0.2.20"])

    with CaptureQueriesContext(connection) as warming:
        call_command("sdk_config_warm", stdout=None)
    with CaptureQueriesContext(connection) as serving:
        statuses = [get(client, a.app_id).status_code for a in (app, *others)]

    assert statuses == [200] * 4
    assert len(warming) <= 6  # App IDs, rows, endpoints, rule versions, concurrency, pools
    assert len(serving) == 0


def test_saving_the_app_is_served_at_once(client, app):
    assert get(client, app.app_id).status_code == 200

    app.status = AppStatus.DISABLED
    app.save()

    assert get(client, app.app_id).status_code == 403


def test_each_rotation_step_reaches_the_cached_entry_at_once(client, app):
    app.certificate_enabled = True
    app.save()
    old = app_token_mint(app=app, ttl_seconds=600)
    assert get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 200

    app_secondary_certificate_generate(app=app, actor=None)
    new = app_token_mint(app=app, ttl_seconds=600, certificate="secondary")
    assert get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200
    app_secondary_certificate_promote(app=app, actor=None)
    assert get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 200
    app_secondary_certificate_remove(app=app, actor=None)

    assert get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
    assert get(client, app.app_id, HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 200


def test_a_new_app_is_found_after_its_id_was_asked_for(client, db):
    app_id = "ab" * 16
    assert get(client, app_id).status_code == 404

    app = AppFactory(app_id=app_id)
    live_set(app, addresses=["192.0.2.10"])

    assert get(client, app_id).status_code == 200


@pytest.fixture
def database_down(monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    return lambda: monkeypatch.setattr(queries.App.objects, "filter", lambda *a, **k: unreachable())


def test_an_unreachable_database_serves_the_last_entry_as_stale(client, app, database_down):
    before = get(client, app.app_id)
    app.save()  # the entry is due a rebuild
    database_down()

    stale = get(client, app.app_id)
    again = get(client, app.app_id)

    assert stale.status_code == 200
    assert stale["X-Proxy-Config-Stale"] == "1"
    assert again["X-Proxy-Config-Stale"] == "1"
    assert stale.json()["servers"] == before.json()["servers"]
    assert stale.json()["ice_servers"][0]["credential"]
    assert "X-Proxy-Config-Stale" not in before


def test_an_unreachable_database_answers_503_for_an_app_not_cached(client, app, database_down):
    database_down()

    response = get(client, app.app_id)

    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert response.json()["code"] == "database_unavailable"


def test_an_unreachable_cache_builds_from_the_database(client, app):
    unreachable = redis_caches(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    with override_settings(CACHES=unreachable):
        statuses = [get(client, app.app_id).status_code for _ in range(3)]

    assert statuses == [200] * 3
