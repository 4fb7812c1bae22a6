from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from provisioning.choices import AllocationKind
from provisioning.selectors.allocations import app_open_request
from provisioning.services.lifecycle import request_allocate_test, request_approve


class Command(BaseCommand):
    help = "Allocate the test or production set of an app's open request, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--app", required=True, help="The App ID (32 hex characters).")
        parser.add_argument("--kind", required=True, choices=AllocationKind.values)

    def handle(self, *args, app, kind, **options):
        request = app_open_request(app_id=app)
        if request is None:
            raise CommandError(f"App {app} has no open request.")
        allocate = request_allocate_test if kind == AllocationKind.TEST else request_approve
        try:
            allocation = allocate(request=request)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        endpoints = allocation.endpoints.order_by("role", "address_key")
        self.stdout.write(
            f"{allocation.get_kind_display()} set #{allocation.pk} for app {app} is "
            f"{allocation.status}: {len(endpoints)} addresses; request #{request.pk} is "
            f"{request.get_status_display().lower()}."
        )
        for endpoint in endpoints:
            where = endpoint.region.code if endpoint.region else "any region"
            line = endpoint.isp.code if endpoint.isp else "multi-line"
            self.stdout.write(f"  {endpoint.address:<40} {endpoint.role:<6} {where} {line}")
