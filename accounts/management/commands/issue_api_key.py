"""Issue a customer API key: ``manage.py issue_api_key <customer> --scope read ...``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import ApiKeyScope
from accounts.models import Customer
from accounts.services.api_keys import api_key_create


class Command(BaseCommand):
    help = "Issue an API key for a customer and print it; it is shown only this once."

    def add_arguments(self, parser):
        parser.add_argument("customer", help="The customer's slug.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            choices=ApiKeyScope.values,
            help="A scope the key carries; repeat for several.",
        )
        parser.add_argument("--name", default="issued from the command line")

    def handle(self, *args, customer, scopes, name, **options):
        found = Customer.objects.filter(slug=customer).first()
        if found is None:
            raise CommandError(f"No customer with slug {customer!r}.")
        try:
            api_key, raw_key = api_key_create(customer=found, name=name, scopes=scopes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Issued key {api_key.prefix}\u2026 for {found.slug} with scopes "
            f"{', '.join(api_key.scopes)}; copy it now, it will not be shown again."
        )
        self.stdout.write(raw_key)
