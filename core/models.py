from django.db import models


class TimestampedModel(models.Model):
    """Add read-only creation and modification times."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True
