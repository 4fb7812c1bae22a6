from rest_framework import serializers

from rules.exports.registry import FORMATS


class RuleSetSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="YYYYMMDDNN.")
    sha256 = serializers.CharField(help_text="SHA-256 of the canonical JSON of the entries.")
    entry_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class RuleSetVersionSerializer(serializers.Serializer):
    app_id = serializers.CharField()
    version = serializers.CharField(help_text="Latest version, YYYYMMDDNN.")
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


class RuleDownloadQuerySerializer(serializers.Serializer):
    format = serializers.CharField(required=False, default="json", help_text="See /formats/.")


class RuleChangesQuerySerializer(serializers.Serializer):
    since = serializers.RegexField(r"^[0-9]{10}$", help_text="A version you have (YYYYMMDDNN).")
    format = serializers.ChoiceField(
        choices=sorted(FORMATS),
        required=False,
        help_text="Also give the commands that move a firewall from `since` to the latest "
        "version in this format (removals first), or say the format has none.",
    )


class FormatSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Value of the format parameter, e.g. iptables.")
    label = serializers.CharField()
    extension = serializers.CharField()
    mime_type = serializers.CharField()
    families = serializers.ListField(
        child=serializers.IntegerField(), help_text="IP versions it carries: 4 and/or 6."
    )
    description = serializers.CharField()


class RuleSetActivationSerializer(serializers.Serializer):
    app_id = serializers.CharField(source="rule_set.app.app_id")
    version = serializers.CharField(source="rule_set.version")
    effective_at = serializers.DateTimeField(
        help_text="When the version's new addresses reach SDKs without an acknowledgement."
    )
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_source = serializers.CharField(help_text="portal, api or connectivity.")
    in_effect_since = serializers.DateTimeField(
        source="activated_at",
        allow_null=True,
        help_text="When SDKs started getting this version (or a newer one superseded it).",
    )
