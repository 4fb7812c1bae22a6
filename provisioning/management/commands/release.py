"""Release an allocation now: ``manage.py release --allocation <id> [--reason TEXT]``."""

from django.core.management.base import BaseCommand, CommandError

from provisioning.exceptions import IllegalTransition
from provisioning.models import Allocation
from provisioning.services.allocation.expiry import allocation_release


class Command(BaseCommand):
    help = (
        "Release an allocation now; its dedicated addresses go into quarantine. A request "
        "left without a live set moves on (testing -> submitted, active -> production "
        "pending); a suspended request's sets are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--allocation", required=True, type=int, help="Allocation id.")
        parser.add_argument("--reason", default="", help="Why, for the request's history.")

    def handle(self, *args, allocation, reason, **options):
        found = Allocation.objects.select_related("request").filter(pk=allocation).first()
        if found is None:
            raise CommandError(f"There is no allocation #{allocation}.")
        before = found.request.status
        try:
            released = allocation_release(allocation=found, reason=reason)
        except IllegalTransition as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not released:
            self.stdout.write(f"Allocation #{allocation} was already {found.status}; unchanged.")
            return
        self.stdout.write(f"Released allocation #{allocation}.")
        request = found.request
        request.refresh_from_db()
        if request.status != before:
            self.stdout.write(
                f"Request #{request.pk} is now {request.get_status_display().lower()}: "
                f"{request.events.last().reason}"
            )
