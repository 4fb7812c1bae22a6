from django.core.management.base import BaseCommand

from provisioning.services.reference_data import reference_data_load


class Command(BaseCommand):
    help = "Load regions, ISPs, port profiles and the shared test pools from the seed (idempotent)."

    def handle(self, *args, **options):
        counts = reference_data_load()
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}."))
