"""Fill the cache with every app's SDK entry, e.g. after a deploy or a cache flush."""

from django.core.management.base import BaseCommand

from accounts.models import App
from provisioning.sdk.entry import sdk_entries_warm


class Command(BaseCommand):
    help = "Build every app's SDK proxy-config entry into the cache (a few queries a batch)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="Apps built per batch.")

    def handle(self, *args, batch: int, **options):
        app_ids = list(App.objects.order_by("pk").values_list("app_id", flat=True))
        stored = sdk_entries_warm(app_ids=app_ids, batch=batch)
        self.stdout.write(f"Stored the SDK entries of {stored} apps.")
