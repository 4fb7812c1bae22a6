"""Celery tasks of the shared pieces: the outbox relay (periodic)."""

from celery import shared_task

from core.outbox import outbox_relay


# Not retried on its own: beat runs it again within seconds.
@shared_task(acks_late=True, ignore_result=True)
def outbox_relay_task() -> dict:
    """Send the outbox's pending tasks that are due (see ``core.outbox``)."""
    return outbox_relay()
