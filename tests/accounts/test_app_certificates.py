"""App certificate rotation: a secondary certificate, promoted to primary or removed, with
tokens of both accepted during the overlap and every change in the app's history."""

import re

import jwt
import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import App
from accounts.models.app import certificate_fingerprint
from accounts.services.app_tokens import AppTokenError, app_token_mint, app_token_verify
from accounts.services.apps import (
    app_secondary_certificate_generate,
    app_secondary_certificate_promote,
    app_secondary_certificate_remove,
)
from tests.factories import AppFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app():
    return AppFactory()


@pytest.fixture
def actor():
    return UserFactory(email="ana@acme.example")


def verify(app, token):
    app.refresh_from_db()
    return app_token_verify(app_id=app.app_id, certificates=app.certificates, token=token)


def history(app) -> list[str]:
    entries = LogEntry.objects.filter(content_type__model="app", object_id=str(app.pk)).order_by(
        "pk"
    )
    return [entry.get_change_message() for entry in entries]


def test_generated_secondary_is_returned_once_and_kept_beside_the_primary(app, actor):
    primary = app.certificate

    secondary = app_secondary_certificate_generate(app=app, actor=actor)

    assert re.fullmatch(r"[0-9a-f]{32}", secondary)
    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (primary, secondary)
    assert app.certificates == [primary, secondary]


def test_tokens_of_either_certificate_verify_during_the_overlap(app, actor):
    old = app_token_mint(app=app, ttl_seconds=600)
    app_secondary_certificate_generate(app=app, actor=actor)
    new = app_token_mint(app=app, ttl_seconds=600, certificate="secondary")

    assert jwt.decode(new, app.secondary_certificate, algorithms=["HS256"])["sub"] == app.app_id
    assert verify(app, old)["sub"] == app.app_id
    assert verify(app, new)["sub"] == app.app_id


def test_a_token_of_neither_certificate_is_refused_with_a_plain_message(app, actor):
    app_secondary_certificate_generate(app=app, actor=actor)
    stranger = jwt.encode({"sub": app.app_id, "exp": 4102444800}, "f" * 32, algorithm="HS256")

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, stranger)

    assert excinfo.value.code == "token_invalid"
    assert excinfo.value.message == (
        "The app token's signature matches neither of the app's certificates."
    )


def test_other_refusals_do_not_depend_on_which_certificate_is_tried(app, actor):
    app_secondary_certificate_generate(app=app, actor=actor)
    app.refresh_from_db()
    claims = {"sub": app.app_id, "exp": 4102444800, "aud": "proxy"}
    token = jwt.encode(claims, app.secondary_certificate, algorithm="HS256")

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, token)

    assert excinfo.value.message == "App tokens carry no aud claim."


def test_promote_swaps_so_tokens_in_flight_still_verify(app, actor):
    old_primary = app.certificate
    old_token = app_token_mint(app=app, ttl_seconds=600)
    secondary = app_secondary_certificate_generate(app=app, actor=actor)

    app_secondary_certificate_promote(app=app, actor=actor)

    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (secondary, old_primary)
    assert verify(app, old_token)["sub"] == app.app_id
    fresh = app_token_mint(app=app, ttl_seconds=600)
    assert jwt.decode(fresh, secondary, algorithms=["HS256"])["sub"] == app.app_id


def test_removing_the_secondary_refuses_its_tokens_and_keeps_the_primary(app, actor):
    app_secondary_certificate_generate(app=app, actor=actor)
    app.refresh_from_db()
    secondary_token = app_token_mint(app=app, ttl_seconds=600, certificate="secondary")
    primary_token = app_token_mint(app=app, ttl_seconds=600)

    app_secondary_certificate_remove(app=app, actor=actor)

    with pytest.raises(AppTokenError) as excinfo:
        verify(app, secondary_token)
    assert excinfo.value.message == "The app token's signature does not match the app certificate."
    assert verify(app, primary_token)["sub"] == app.app_id
    assert app.secondary_certificate == ""


def test_full_rotation_retires_the_old_primary(app, actor):
    old_token = app_token_mint(app=app, ttl_seconds=600)
    app_secondary_certificate_generate(app=app, actor=actor)
    app_secondary_certificate_promote(app=app, actor=actor)
    app_secondary_certificate_remove(app=app, actor=actor)

    with pytest.raises(AppTokenError):
        verify(app, old_token)


def test_a_second_secondary_is_refused_so_the_first_is_not_dropped_silently(app, actor):
    first = app_secondary_certificate_generate(app=app, actor=actor)

    with pytest.raises(ValidationError) as excinfo:
        app_secondary_certificate_generate(app=app, actor=actor)

    assert "promote or remove it first" in excinfo.value.message_dict["secondary_certificate"][0]
    app.refresh_from_db()
    assert app.secondary_certificate == first


@pytest.mark.parametrize(
    "service", [app_secondary_certificate_promote, app_secondary_certificate_remove]
)
def test_promote_and_remove_need_a_secondary(app, actor, service):
    primary = app.certificate

    with pytest.raises(ValidationError) as excinfo:
        service(app=app, actor=actor)

    assert "no secondary certificate" in excinfo.value.message_dict["secondary_certificate"][0]
    app.refresh_from_db()
    assert (app.certificate, app.secondary_certificate) == (primary, "")
    assert history(app) == []


def test_a_stale_copy_of_the_app_does_not_undo_another_admins_change(app, actor):
    stale = App.objects.get(pk=app.pk)
    app_secondary_certificate_generate(app=app, actor=actor)

    app_secondary_certificate_promote(app=stale, actor=actor)

    app.refresh_from_db()
    assert app.secondary_certificate and app.certificate == stale.certificate


def test_every_change_is_in_the_apps_history_with_fingerprints_never_secrets(app, actor):
    old_primary = app.certificate
    secondary = app_secondary_certificate_generate(app=app, actor=actor)
    app_secondary_certificate_promote(app=app, actor=actor)
    app_secondary_certificate_remove(app=app, actor=actor)

    old, new = certificate_fingerprint(old_primary), certificate_fingerprint(secondary)
    assert history(app) == [
        f"Generated secondary app certificate {new}.",
        f"Promoted app certificate {new} to primary; {old} is now the secondary.",
        f"Removed secondary app certificate {old}; its tokens are refused.",
    ]
    entries = LogEntry.objects.filter(content_type__model="app", object_id=str(app.pk))
    assert {entry.user_id for entry in entries} == {actor.pk}
    assert not any(
        secret in message for message in history(app) for secret in (old_primary, secondary)
    )


def test_the_database_refuses_a_secondary_equal_to_the_primary(app):
    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.filter(pk=app.pk).update(secondary_certificate=app.certificate)


def test_clean_refuses_a_secondary_equal_to_the_primary_by_field(app):
    app.secondary_certificate = app.certificate

    with pytest.raises(ValidationError) as excinfo:
        app.full_clean()

    assert "secondary_certificate" in excinfo.value.message_dict


def test_mint_with_the_secondary_needs_one(app):
    with pytest.raises(ValidationError) as excinfo:
        app_token_mint(app=app, ttl_seconds=60, certificate="secondary")

    assert "certificate" in excinfo.value.message_dict


def test_command_mints_with_the_secondary(app, actor, capsys):
    secondary = app_secondary_certificate_generate(app=app, actor=actor)

    call_command("mint_app_token", app.app_id, "--ttl", "60", "--certificate", "secondary")

    token = capsys.readouterr().out.strip()
    assert jwt.decode(token, secondary, algorithms=["HS256"])["sub"] == app.app_id


def test_command_says_when_there_is_no_secondary(app):
    with pytest.raises(CommandError, match="no secondary certificate"):
        call_command("mint_app_token", app.app_id, "--certificate", "secondary")


def test_the_admin_shows_fingerprints_and_the_rotation_history_never_secrets(client, app, actor):
    secondary = app_secondary_certificate_generate(app=app, actor=actor)
    client.force_login(StaffUserFactory(is_superuser=True))

    html = client.get(reverse("admin:accounts_app_change", args=[app.pk])).content.decode()
    history_html = client.get(reverse("admin:accounts_app_history", args=[app.pk])).content
    history_html = history_html.decode()

    assert certificate_fingerprint(app.certificate) in html
    assert certificate_fingerprint(secondary) in html
    assert app.certificate not in html and secondary not in html
    assert f"Generated secondary app certificate {certificate_fingerprint(secondary)}." in (
        history_html
    )
