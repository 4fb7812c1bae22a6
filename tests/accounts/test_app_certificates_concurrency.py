"""Admins rotating one app's certificate at the same moment take turns on the app's row:
no change is lost and no secondary is silently replaced."""

import threading

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connections

from accounts.models import App
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
)
from tests.factories import AppFactory, UserFactory

WORKERS = 6


def _run_together(service, app_pk, actor, outcomes):
    """Call ``service`` on one stale copy of the app per thread, all at once."""
    barrier = threading.Barrier(WORKERS)

    def work():
        try:
            stale = App.objects.get(pk=app_pk)
            barrier.wait(timeout=60)
            outcomes.append(("ok", service(app=stale, actor=actor)))
        except ValidationError as exc:
            outcomes.append(("refused", exc.messages[0]))
        except Exception as exc:  # reported by the test thread below
            outcomes.append(("error", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def _history(app_pk):
    return LogEntry.objects.filter(content_type__model="app", object_id=str(app_pk))


@pytest.mark.django_db(transaction=True)
def test_concurrent_generates_make_exactly_one_secondary():
    app, actor = AppFactory(), UserFactory()
    outcomes = []

    _run_together(app_secondary_certificate_generate, app.pk, actor, outcomes)

    assert len(outcomes) == WORKERS
    made = [value for outcome, value in outcomes if outcome == "ok"]
    assert len(made) == 1, outcomes
    assert all(outcome == "refused" for outcome, _ in outcomes if outcome != "ok"), outcomes
    app.refresh_from_db()
    assert app.secondary_certificate == made[0]
    assert _history(app.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_promotes_each_swap_once():
    app, actor = AppFactory(), UserFactory()
    first, second = app.certificate, app_secondary_certificate_generate(app=app, actor=actor)
    outcomes = []

    _run_together(app_secondary_certificate_promote, app.pk, actor, outcomes)

    assert [outcome for outcome, _ in outcomes] == ["ok"] * WORKERS, outcomes
    app.refresh_from_db()
    # An even number of real swaps ends where it began; lost updates would not.
    assert (app.certificate, app.secondary_certificate) == (first, second)
    assert _history(app.pk).count() == 1 + WORKERS
