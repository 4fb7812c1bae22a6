from django.core.management.base import BaseCommand, CommandError

from provisioning.models import Allocation
from provisioning.services.allocation.expiry import allocation_release


class Command(BaseCommand):
    help = "Release an allocation now; its dedicated addresses go into quarantine."

    def add_arguments(self, parser):
        parser.add_argument("--allocation", required=True, type=int, help="Allocation id.")
        parser.add_argument("--reason", default="", help="Why, for the request's history.")

    def handle(self, *args, allocation, reason, **options):
        found = Allocation.objects.filter(pk=allocation).first()
        if found is None:
            raise CommandError(f"There is no allocation #{allocation}.")
        if allocation_release(allocation=found, reason=reason):
            self.stdout.write(f"Released allocation #{allocation}.")
        else:
            self.stdout.write(f"Allocation #{allocation} was already {found.status}; unchanged.")
