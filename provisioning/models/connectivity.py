"""Connectivity reports: what a customer's network let through, tried by the browser check
page or the command-line probe against one rule set version of an app."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from provisioning.choices import ProbeOutcome, Protocol, ReportSource
from provisioning.constants import MAX_PORT, MAX_PROBE_MS, MIN_PORT


class ConnectivityReport(models.Model):
    """One run of the browser check or the probe, as reported to us. Written once."""

    app = models.ForeignKey(
        "accounts.App", on_delete=models.CASCADE, related_name="connectivity_reports"
    )
    rule_set = models.ForeignKey(
        "rules.RuleSet",
        on_delete=models.CASCADE,
        related_name="connectivity_reports",
        help_text="The rule set version whose entries were tried.",
    )
    source = models.CharField(max_length=8, choices=ReportSource.choices)
    source_address = models.GenericIPAddressField(
        null=True, blank=True, help_text="The address the report came from (the network tried)."
    )
    passed = models.BooleanField(help_text="Every address and port tried was reachable.")
    tried = models.PositiveIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "connectivity report"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=ReportSource.values),
                name="connreport_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(blocked__lte=models.F("tried"))
                & (models.Q(passed=False) | models.Q(blocked=0, tried__gt=0)),
                name="connreport_counts_consistent",
                violation_error_message="A report passes only when it tried something "
                "and nothing was blocked.",
            ),
        ]
        indexes = [models.Index(fields=["app", "-created_at"], name="connreport_app_latest")]

    def __str__(self):
        verdict = "passed" if self.passed else f"{self.blocked} of {self.tried} blocked"
        return f"{self.get_source_display()} report for {self.app_id}: {verdict}"

    def clean(self):
        if self.passed and (self.blocked or not self.tried):
            raise ValidationError(
                {"passed": "A report passes only when it tried something and nothing was blocked."}
            )


class ConnectivityResult(models.Model):
    """One address and port tried, and whether it got through."""

    report = models.ForeignKey(ConnectivityReport, on_delete=models.CASCADE, related_name="results")
    destination = models.GenericIPAddressField()
    protocol = models.CharField(max_length=3, choices=Protocol.choices)
    port = models.PositiveIntegerField()
    transport = models.CharField(
        max_length=8, blank=True, help_text="Browser check: udp, tcp or tls (TURN transport)."
    )
    outcome = models.CharField(max_length=9, choices=ProbeOutcome.choices)
    ms = models.PositiveIntegerField(null=True, blank=True, help_text="Time taken, if measured.")

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "connectivity result"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "destination", "protocol", "port", "transport"],
                name="connresult_unique_try",
            ),
            models.CheckConstraint(
                condition=models.Q(port__gte=MIN_PORT, port__lte=MAX_PORT),
                name="connresult_port_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(protocol__in=Protocol.values), name="connresult_protocol_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=ProbeOutcome.values),
                name="connresult_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ms__isnull=True) | models.Q(ms__lte=MAX_PROBE_MS),
                name="connresult_ms_valid",
            ),
        ]

    def __str__(self):
        return f"{self.protocol} {self.destination}:{self.port} {self.outcome}"

    @property
    def reachable(self) -> bool:
        return self.outcome == ProbeOutcome.REACHABLE

    def clean(self):
        if not MIN_PORT <= (self.port or 0) <= MAX_PORT:
            raise ValidationError({"port": f"Ports are {MIN_PORT} to {MAX_PORT}."})
        if self.ms is not None and self.ms > MAX_PROBE_MS:
            raise ValidationError({"ms": f"At most {MAX_PROBE_MS} ms."})


class ConnectivityAlert(models.Model):
    """Ops were e-mailed that a live rule set version failed a report: once per version."""

    app = models.ForeignKey("accounts.App", on_delete=models.CASCADE, related_name="+")
    rule_set = models.ForeignKey("rules.RuleSet", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(ConnectivityReport, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "connectivity alert"
        constraints = [
            models.UniqueConstraint(
                fields=["app", "rule_set"],
                name="connalert_once_per_version",
                violation_error_message="Ops were already alerted about this version.",
            )
        ]

    def __str__(self):
        return f"Connectivity alert for {self.rule_set}"
