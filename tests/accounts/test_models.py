import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from accounts.models import App
from accounts.services.apps import app_create
from tests.factories import AppFactory, CustomerFactory

pytestmark = pytest.mark.django_db

BAD_APP_IDS = [
    "0123456789ABCDEF0123456789ABCDEF",  # upper case
    "0123456789abcdef0123456789abcde",  # 31 characters
    "0123456789abcdef0123456789abcdef0",  # 33 characters
    "0123456789abcdef0123456789abcdeg",  # not hex
    "",
]


@pytest.mark.parametrize("app_id", BAD_APP_IDS)
def test_full_clean_refuses_a_malformed_app_id_with_a_field_message(app_id):
    app = App(customer=CustomerFactory(), app_id=app_id, name="App", certificate="c" * 32)

    with pytest.raises(ValidationError) as excinfo:
        app.full_clean()

    assert "app_id" in excinfo.value.message_dict
    assert not App.objects.filter(app_id=app_id).exists()


@pytest.mark.parametrize("app_id", BAD_APP_IDS[:4])
def test_database_refuses_a_malformed_app_id_on_insert(app_id):
    customer = CustomerFactory()

    # PostgreSQL refuses a 33rd character by the column's length (DataError) before the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        App.objects.bulk_create(
            [App(customer=customer, app_id=app_id, name="App", certificate="c" * 32)]
        )

    assert not App.objects.filter(customer=customer).exists()


def test_database_refuses_a_malformed_app_id_on_update():
    app = AppFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.filter(pk=app.pk).update(app_id=app.app_id.upper())

    app.refresh_from_db()
    assert app.app_id == app.app_id.lower()


def test_app_create_returns_the_certificate_once_and_stores_a_valid_app():
    customer = CustomerFactory()

    app, certificate = app_create(customer=customer, app_id="ab" * 16, name="Video banking")

    assert len(certificate) == 32
    assert App.objects.get(pk=app.pk).certificate == certificate


def test_app_create_refuses_invalid_source_networks_and_writes_nothing():
    customer = CustomerFactory()

    with pytest.raises(ValidationError) as excinfo:
        app_create(
            customer=customer,
            app_id="cd" * 16,
            name="Video banking",
            source_networks=["10.0.0.1/8"],
        )

    assert "source_networks" in excinfo.value.message_dict
    assert not App.objects.filter(customer=customer).exists()
