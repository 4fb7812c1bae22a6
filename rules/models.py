"""Versioned firewall rule sets per app, their entries, changes and rendered exports, and
staff's notes on each version."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.validators import validate_notes_length
from core.models import TimestampedModel
from rules.choices import (
    AcknowledgementSource,
    ChangeDisposition,
    Environment,
    ExportStatus,
    Protocol,
)
from rules.constants import (
    CIDR_MAX_LENGTH,
    ENTRY_ID_LENGTH,
    PORTS_TEXT_MAX_LENGTH,
    SHORTEN_REASON_MAX_LENGTH,
    VERSION_LENGTH,
    VERSION_PATTERN,
)


class ImmutableModel(models.Model):
    """A row that is written once: services create it, nothing updates it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are immutable once published.")
        super().save(*args, **kwargs)


class RuleSet(ImmutableModel):
    """One immutable version of an app's firewall whitelist."""

    app = models.ForeignKey("accounts.App", on_delete=models.CASCADE, related_name="rule_sets")
    version = models.CharField(
        max_length=VERSION_LENGTH, help_text="YYYYMMDDNN: UTC date and a counter per day."
    )
    sha256 = models.CharField(
        "SHA-256", max_length=64, help_text="Digest of the canonical JSON of the entries."
    )
    source_networks = models.JSONField(
        default=list, blank=True, help_text="Rule source; empty means any."
    )
    entry_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["app", "-version"]
        verbose_name = "rule set"
        constraints = [
            models.UniqueConstraint(fields=["app", "version"], name="ruleset_unique_version"),
            models.CheckConstraint(
                condition=models.Q(version__regex=VERSION_PATTERN), name="ruleset_version_format"
            ),
        ]

    def __str__(self):
        return f"{self.app.app_id} v{self.version}"


class EntryFields(models.Model):
    """What a firewall rule allows: an environment, a protocol, a destination and ports."""

    entry_id = models.CharField(
        "entry id",
        max_length=ENTRY_ID_LENGTH,
        help_text="Stable across versions: the same environment, protocol, destination "
        "and ports always get the same id.",
    )
    environment = models.CharField(max_length=16, choices=Environment.choices)
    family = models.PositiveSmallIntegerField(help_text="4 or 6.")
    protocol = models.CharField(max_length=3, choices=Protocol.choices)
    destination = models.CharField(max_length=CIDR_MAX_LENGTH)
    ports = models.CharField(max_length=PORTS_TEXT_MAX_LENGTH, help_text='e.g. "443,4000".')
    purpose = models.CharField(max_length=100)

    class Meta:
        abstract = True


class RuleEntry(EntryFields, ImmutableModel):
    """One aggregated destination of a rule set."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["rule_set", "position"]
        verbose_name = "rule entry"
        verbose_name_plural = "rule entries"
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "entry_id"], name="ruleentry_unique_id"),
            models.CheckConstraint(
                condition=models.Q(family__in=(4, 6)), name="ruleentry_family_valid"
            ),
        ]

    def __str__(self):
        return f"{self.entry_id} {self.protocol} {self.destination} {self.ports}"


class RuleChange(EntryFields, ImmutableModel):
    """An entry added, removed or changed by a version, with the date it takes effect."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="changes")
    disposition = models.CharField(max_length=8, choices=ChangeDisposition.choices)
    effective_at = models.DateTimeField(
        help_text="Additions: when they reach SDKs (the version's activation); removals: "
        "when the address leaves quarantine and may leave the firewall."
    )
    previous = models.JSONField(
        default=dict, blank=True, help_text="For a change: the fields as they were."
    )

    class Meta:
        ordering = ["rule_set", "disposition", "entry_id"]
        verbose_name = "rule change"
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "entry_id"], name="rulechange_unique_id"),
            models.CheckConstraint(
                condition=models.Q(disposition__in=ChangeDisposition.values),
                name="rulechange_disposition_valid",
            ),
        ]

    def __str__(self):
        return f"{self.disposition} {self.entry_id}"


class RuleExport(models.Model):
    """A rule set rendered in one format; rendering again gives the same bytes."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="exports")
    format_name = models.CharField("format", max_length=32)
    status = models.CharField(max_length=16, choices=ExportStatus.choices)
    content = models.TextField(blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.TextField(blank=True, help_text="Why the export failed.")
    omitted = models.JSONField(
        default=list,
        blank=True,
        help_text="Entries of an address family the format cannot carry (also in its header).",
    )
    rendered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule_set", "format_name"]
        verbose_name = "rule export"
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "format_name"], name="ruleexport_unique_format"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ExportStatus.values), name="ruleexport_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.rule_set} {self.format_name}"

    @property
    def format(self):
        from rules.exports.registry import format_get

        return format_get(self.format_name)

    @property
    def filename(self) -> str:
        rule_set = self.rule_set
        # Each format has its own suffix (iptables and ip6tables both end in .rules).
        return f"rules-{rule_set.app.app_id}-{rule_set.version}{self.format.filename_suffix}"

    @property
    def mime_type(self) -> str:
        return self.format.mime_type


class RuleSetActivation(models.Model):
    """When a rule set version reaches SDKs: at ``effective_at``, or once the customer says
    their firewall allows it (acknowledged), whichever comes first.

    The version itself is immutable; this row is its mutable activation state. A version
    takes effect (``activated_at``) at most once; later versions supersede earlier ones.
    """

    rule_set = models.OneToOneField(RuleSet, on_delete=models.CASCADE, related_name="activation")
    effective_at = models.DateTimeField(
        db_index=True,
        help_text="When the version's new addresses reach SDKs without an acknowledgement.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_source = models.CharField(
        max_length=16, choices=AcknowledgementSource.choices, blank=True
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    acknowledged_api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shortened_at = models.DateTimeField(null=True, blank=True)
    shortened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    shortened_reason = models.CharField(max_length=SHORTEN_REASON_MAX_LENGTH, blank=True)
    activated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the version took effect (or was superseded)."
    )

    class Meta:
        ordering = ["rule_set"]
        verbose_name = "rule set activation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_source="")
                | models.Q(
                    acknowledged_at__isnull=False,
                    acknowledged_source__in=AcknowledgementSource.values,
                ),
                name="rulesetactivation_ack_has_source",
            ),
            models.CheckConstraint(
                condition=models.Q(shortened_at__isnull=True) | ~models.Q(shortened_reason=""),
                name="rulesetactivation_shortened_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.rule_set} effective {self.effective_at:%Y-%m-%d %H:%M}"

    def clean(self):
        errors = {}
        if (self.acknowledged_at is None) != (not self.acknowledged_source):
            errors["acknowledged_source"] = "An acknowledgement needs its time and its source."
        if self.shortened_at is not None and not self.shortened_reason.strip():
            errors["shortened_reason"] = "Say why the effective date is brought forward."
        if errors:
            raise ValidationError(errors)

    def is_active(self, now) -> bool:
        """Return whether SDKs may be given this version's addresses at ``now``."""
        return (
            self.activated_at is not None
            or self.acknowledged_at is not None
            or self.effective_at <= now
        )


class RuleSetNote(TimestampedModel):
    """Staff's note on what a rule set version changes and why, shown to the customer with
    the version (the version itself is immutable; its note may be corrected)."""

    rule_set = models.OneToOneField(RuleSet, on_delete=models.CASCADE, related_name="note")
    text = models.TextField(
        validators=[validate_notes_length],
        help_text="Shown to the customer with this version, e.g. why addresses changed. "
        "Plain text.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last wrote it.",
    )

    class Meta:
        verbose_name = "rule set note"
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="rulesetnote_text_not_empty")
        ]

    def __str__(self):
        return f"Note on {self.rule_set}"

    def clean(self):
        if not (self.text or "").strip():
            raise ValidationError({"text": "Write the note, or delete it."})
