from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending (not yet on the task queue)"
    SENT = "sent", "Sent to the task queue"
