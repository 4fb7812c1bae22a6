import datetime

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services.api_keys import (
    ApiKeyRejected,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def issued(db):
    return api_key_create(customer=CustomerFactory(), name="sync", scopes=["read"])


def test_authenticate_returns_the_key_and_records_its_use(issued):
    api_key, raw_key = issued

    with time_machine.travel("2026-03-01T12:00:00Z", tick=False):
        found = api_key_authenticate(raw_key=raw_key)

    assert found.pk == api_key.pk
    api_key.refresh_from_db()
    assert api_key.last_used_at == datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)


def test_last_use_is_written_at_most_once_a_minute(issued):
    api_key, raw_key = issued
    with time_machine.travel("2026-03-01T12:00:00Z", tick=False):
        api_key_authenticate(raw_key=raw_key)

    with (
        time_machine.travel("2026-03-01T12:00:30Z", tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        api_key_authenticate(raw_key=raw_key)
    with time_machine.travel("2026-03-01T12:01:30Z", tick=False):
        api_key_authenticate(raw_key=raw_key)

    assert len(queries) == 1  # the lookup; no write inside the minute
    api_key.refresh_from_db()
    assert api_key.last_used_at.minute == 1


@pytest.mark.parametrize(
    "mangle",
    [lambda raw: raw + "x", lambda raw: raw.split(".")[0], lambda raw: "nope.nope", lambda raw: ""],
    ids=["wrong-secret", "prefix-only", "unknown-prefix", "empty"],
)
def test_wrong_keys_are_rejected(issued, mangle):
    _, raw_key = issued

    with pytest.raises(ApiKeyRejected) as excinfo:
        api_key_authenticate(raw_key=mangle(raw_key))

    assert excinfo.value.code == "api_key_invalid"


def test_revoked_key_is_rejected(issued):
    api_key, raw_key = issued
    api_key_revoke(api_key=api_key)

    with pytest.raises(ApiKeyRejected) as excinfo:
        api_key_authenticate(raw_key=raw_key)

    assert excinfo.value.code == "api_key_revoked"


def test_expired_key_is_rejected(db):
    expires = timezone.now() + datetime.timedelta(hours=1)
    _, raw_key = api_key_create(
        customer=CustomerFactory(), name="x", scopes=["read"], expires_at=expires
    )

    with (
        time_machine.travel(expires + datetime.timedelta(seconds=1)),
        pytest.raises(ApiKeyRejected) as excinfo,
    ):
        api_key_authenticate(raw_key=raw_key)

    assert excinfo.value.code == "api_key_expired"


def test_only_a_hash_is_stored(issued):
    api_key, raw_key = issued

    api_key.refresh_from_db()
    assert raw_key.split(".")[1] not in api_key.key_hash
    assert api_key.prefix == raw_key.split(".")[0]


def test_issuing_and_revoking_a_key_is_recorded_with_the_actor(db):
    user = UserFactory()
    api_key, _ = api_key_create(
        customer=CustomerFactory(), name="firewall sync", scopes=["rules"], created_by=user
    )
    api_key_revoke(api_key=api_key, actor=user)
    api_key_revoke(api_key=api_key, actor=user)

    history = list(
        LogEntry.objects.filter(object_id=str(api_key.pk))
        .order_by("pk")
        .values_list("user", "change_message")
    )
    assert history == [
        (user.pk, f"Issued API key {api_key.prefix}\u2026 with scopes rules."),
        (user.pk, f"Revoked API key {api_key.prefix}\u2026."),
    ]
