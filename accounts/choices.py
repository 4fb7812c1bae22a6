from django.db import models


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class MembershipRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class AppStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"


class ApiKeyScope(models.TextChoices):
    READ = "read", "Read apps and requests"
    RULES = "rules", "Download firewall rules"
    REQUESTS = "requests", "Submit proxy requests"
    CERTIFICATES = "certificates", "Generate, promote and remove app certificates"


class CertificateSlot(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class SubscriptionMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately, one e-mail per version"
    DAILY = "daily", "Daily digest"


class SubscriptionNoticeKind(models.TextChoices):
    VERSION = "version", "New version"
    DIGEST = "digest", "Daily digest"
