import os

from django.core.management.base import BaseCommand

from provisioning.services.demo import DEMO_APP_ID, demo_data_seed


class Command(BaseCommand):
    help = (
        "Add a demo customer, app, request and production pools, and the logins 'admin' "
        "(staff) and 'demo' (customer), idempotently. Passwords come from DEMO_PASSWORD, "
        "or are generated and printed."
    )

    def handle(self, *args, **options):
        logins = demo_data_seed(password=os.environ.get("DEMO_PASSWORD") or None)
        shown = logins.password if logins.generated else "(the value of DEMO_PASSWORD)"
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Staff admin:   username admin  password {shown}")
        self.stdout.write(f"  Customer user: username demo   password {shown}")
        self.stdout.write(f"  Demo App ID:   {DEMO_APP_ID}")
        if logins.certificate:
            self.stdout.write(f"  App certificate (shown once): {logins.certificate}")
