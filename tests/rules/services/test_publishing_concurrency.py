import threading

import pytest
from django.db import connection, connections, transaction

from provisioning.services.publishing import app_rule_set_publish
from rules.models import RuleSet
from tests.factories import AppFactory
from tests.rules.conftest import EDGE_PORTS, allocation_with


@pytest.mark.django_db(transaction=True)
def test_simultaneous_publications_of_one_change_make_one_version():
    app = AppFactory()
    allocation_with(app, addresses=["192.0.2.1"], ports=EDGE_PORTS)
    # PostgreSQL runs the publications truly in parallel (the advisory lock serializes
    # them); SQLite admits one writer at a time, so there they run one after the other.
    parallel = connection.vendor == "postgresql"
    workers = 4
    barrier = threading.Barrier(workers if parallel else 1, timeout=30)
    results, errors = [], []

    def publish():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(app_rule_set_publish(app=app))
        except Exception as exc:  # Reported by the assertion below.
            errors.append(exc)
        finally:
            connections.close_all()

    if parallel:
        threads = [threading.Thread(target=publish) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for _ in range(workers):
            publish()

    assert errors == []
    published = [result for result in results if result is not None]
    assert len(results) == workers and len(published) == 1
    assert list(RuleSet.objects.filter(app=app).values_list("version", flat=True)) == [
        published[0].version
    ]
