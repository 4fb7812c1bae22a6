from django.db import models

from core.choices import OutboxStatus


class TimestampedModel(models.Model):
    """Add read-only creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A task to send, written in the same transaction as the change that needs it.

    ``core.queue.enqueue_on_commit`` writes the row and tries to send it once the
    transaction commits; ``core.outbox.outbox_relay`` sends whatever is still pending.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    # Not unique: a task handed out again (see ``task_requeue``) keeps its id.
    task_id = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        verbose_name = "outbox message"

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id} ({self.status})"
