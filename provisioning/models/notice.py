from django.db import models


class SentNotice(models.Model):
    """An e-mail notice about an allocation that went out.

    Keyed by the sending task's id, so a task delivered again (a worker died before
    acknowledging it) does not e-mail the customer a second time.
    """

    allocation = models.ForeignKey(
        "provisioning.Allocation", on_delete=models.CASCADE, related_name="sent_notices"
    )
    key = models.CharField(max_length=64, unique=True, help_text="Id of the task that sent it.")
    notice = models.CharField(max_length=16)
    recipients = models.PositiveIntegerField(default=0, help_text="E-mails sent.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self):
        return f"{self.notice} notice for allocation #{self.allocation_id}"
