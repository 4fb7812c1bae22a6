"""Connectivity reports in and out of the API."""

from rest_framework import serializers

from provisioning.choices import ProbeOutcome, Protocol, ReportSource
from provisioning.constants import MAX_REPORT_RESULTS
from provisioning.models import ConnectivityReport, ConnectivityResult


class ConnectivityResultSerializer(serializers.ModelSerializer):
    reachable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ConnectivityResult
        fields = ["destination", "protocol", "port", "transport", "reachable", "outcome", "ms"]


class ConnectivityReportSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="rule_set.version", read_only=True)
    results = ConnectivityResultSerializer(many=True, read_only=True)

    class Meta:
        model = ConnectivityReport
        fields = [
            "id", "version", "source", "source_address", "passed", "tried", "blocked",
            "created_at", "results",
        ]  # fmt: skip


class ConnectivityResultInputSerializer(serializers.Serializer):
    """One try, as the probe prints it with --json (documentation of the shape: the
    service checks each item against the rule set)."""

    destination = serializers.IPAddressField()
    protocol = serializers.ChoiceField(choices=Protocol.choices)
    port = serializers.IntegerField(min_value=1, max_value=65535)
    reachable = serializers.BooleanField()
    ms = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    transport = serializers.ChoiceField(choices=["udp", "tcp", "tls"], required=False)
    outcome = serializers.ChoiceField(choices=ProbeOutcome.choices, required=False)


class ConnectivityReportInputSerializer(serializers.Serializer):
    version = serializers.RegexField(
        r"^[0-9]{10}$",
        required=False,
        allow_null=True,
        help_text="The rule set version tried (YYYYMMDDNN); the latest when left out.",
    )
    source = serializers.ChoiceField(choices=ReportSource.choices)
    results = ConnectivityResultInputSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_REPORT_RESULTS,
        help_text="Each {destination, protocol, port, reachable, ms}; at most "
        f"{MAX_REPORT_RESULTS}, every one an address and port of the version's entries.",
    )
