from django.core.management.base import BaseCommand

from core.outbox import outbox_relay


class Command(BaseCommand):
    help = "Send the tasks still waiting in the outbox (the broker was down) that are due."

    def handle(self, *args, **options):
        result = outbox_relay()
        self.stdout.write(f"Sent {result['sent']} task(s); {result['failed']} could not be sent.")
