"""Staff's notes on rule set versions: one per version, on the record, never empty."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from rules.models import RuleSetNote
from rules.services.notes import rule_set_note_set
from tests.factories import staff_member
from tests.rules.conftest import allocation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule_set(app):
    from provisioning.services.publishing import app_rule_set_publish

    allocation_with(app, addresses=["150.138.153.78"])
    return app_rule_set_publish(app=app)


def test_a_note_is_written_corrected_and_removed_on_the_record(rule_set):
    sales = staff_member("sales")

    rule_set_note_set(rule_set=rule_set, text="  First text. ", actor=sales)
    note = rule_set_note_set(rule_set=rule_set, text="Corrected.", actor=sales)
    assert RuleSetNote.objects.get().text == "Corrected." and note.author == sales
    assert rule_set_note_set(rule_set=rule_set, text=" ", actor=sales) is None

    assert not RuleSetNote.objects.exists()
    messages = list(LogEntry.objects.order_by("pk").values_list("change_message", flat=True))
    assert messages[-1] == f"Note on rules version {rule_set.version} removed."
    assert any(message.endswith(": Corrected.") for message in messages)


def test_an_empty_note_is_refused_by_the_database_too(rule_set):
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSetNote.objects.create(rule_set=rule_set, text="")


def test_sales_write_a_note_in_the_admin(rule_set):
    client = Client()
    client.force_login(staff_member("sales"))

    response = client.post(
        reverse("admin:rules_rulesetnote_add"), {"rule_set": rule_set.pk, "text": "Why."}
    )

    assert response.status_code == 302
    assert rule_set.note.text == "Why."
