"""Print an app token for an App ID:
``manage.py mint_app_token <app_id> [--ttl S] [--certificate primary|secondary]``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import CertificateSlot
from accounts.models import App
from accounts.services.app_tokens import app_token_mint


class Command(BaseCommand):
    help = "Mint an app token (JWT signed with the app certificate) and print it."

    def add_arguments(self, parser):
        parser.add_argument("app_id", help="The App ID (32 lowercase hex characters).")
        parser.add_argument(
            "--ttl",
            type=int,
            default=None,
            help="Lifetime in seconds (default and maximum: APP_TOKEN_MAX_TTL).",
        )
        parser.add_argument(
            "--certificate",
            choices=CertificateSlot.values,
            default=CertificateSlot.PRIMARY,
            help="Which of the app's certificates signs the token (default: primary); "
            "the secondary one exists while certificates rotate.",
        )

    def handle(self, *args, app_id, ttl, certificate, **options):
        if ttl is not None and ttl <= 0:
            raise CommandError(
                f"--ttl must be 1 to {settings.APP_TOKEN_MAX_TTL} seconds, not {ttl}; "
                "leave it out for the longest lifetime."
            )
        app = App.objects.filter(app_id=app_id).first()
        if app is None:
            raise CommandError(f"No app with App ID {app_id!r}.")
        try:
            lifetime = settings.APP_TOKEN_MAX_TTL if ttl is None else ttl
            token = app_token_mint(app=app, ttl_seconds=lifetime, certificate=certificate)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(token)
