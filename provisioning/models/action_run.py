from django.conf import settings
from django.db import models

from core.models import TimestampedModel
from provisioning.choices import ActionRunState, RequestAction


class RequestActionRun(TimestampedModel):
    """A staff action on a request, queued as a task, and how far it got.

    Written by ``provisioning.services.action_runs`` in short transactions of their own,
    never in the task's: staff see where the action stands whatever the broker and the
    result backend went through, and a run whose lease ran out is queued again.
    """

    request = models.ForeignKey(
        "provisioning.ProvisioningRequest", on_delete=models.CASCADE, related_name="action_runs"
    )
    action = models.CharField(max_length=20, choices=RequestAction.choices)
    task_id = models.CharField(max_length=255, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(
        max_length=10, choices=ActionRunState.choices, default=ActionRunState.ACCEPTED
    )
    message = models.TextField(blank=True, default="", help_text="Where it stands, in words.")
    outcome = models.JSONField(null=True, blank=True, help_text="What the task returned.")
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker started it.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Queued again if still unfinished after this."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "lease_expires_at"], name="action_run_lease")]

    def __str__(self) -> str:
        return f"{self.action} on request #{self.request_id} ({self.state})"
