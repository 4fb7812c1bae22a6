from django.db import models


class Protocol(models.TextChoices):
    TCP = "tcp", "TCP"
    UDP = "udp", "UDP"


class Environment(models.TextChoices):
    """Which allocation an entry comes from: the shared test set or the dedicated one."""

    TEST = "test", "Test"
    PRODUCTION = "production", "Production"


class ChangeDisposition(models.TextChoices):
    """How an entry changed between two versions (the Microsoft 365 endpoints vocabulary)."""

    ADDED = "added", "Added"
    REMOVED = "removed", "Removed"
    CHANGED = "changed", "Changed"


class ExportStatus(models.TextChoices):
    RENDERED = "rendered", "Rendered"
    FAILED = "failed", "Failed"


class AcknowledgementSource(models.TextChoices):
    """How a customer told us their firewall allows a version."""

    PORTAL = "portal", "Portal"
    API = "api", "API"
    CONNECTIVITY = "connectivity", "Connectivity report"
