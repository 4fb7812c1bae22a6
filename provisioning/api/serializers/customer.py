from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import App
from accounts.validators import source_networks_canonical
from provisioning.api.serializers.fields import CodeRelatedField
from provisioning.choices import ChangeStatus, RequestStatus
from provisioning.constants import MAX_CONCURRENCY
from provisioning.models import ChangeRequest, Isp, ProvisioningRequest, Region, RequestEvent


class AppSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = App
        fields = [
            "app_id",
            "name",
            "customer",
            "status",
            "certificate_enabled",
            "source_networks",
            "created_at",
        ]
        read_only_fields = fields


class AppDetailSerializer(AppSerializer):
    environment = serializers.SerializerMethodField(
        help_text="What the app has live: production, test, or null."
    )
    open_request = serializers.SerializerMethodField(help_text="Id of the open request, if any.")
    certificate_fingerprint = serializers.CharField(
        read_only=True,
        help_text="Start of the SHA-256 of the primary certificate (never the certificate).",
    )
    secondary_certificate_fingerprint = serializers.SerializerMethodField(
        help_text="Same for the secondary certificate, or null when the app has none."
    )

    class Meta(AppSerializer.Meta):
        fields = [
            *AppSerializer.Meta.fields,
            "environment",
            "open_request",
            "certificate_fingerprint",
            "secondary_certificate_fingerprint",
        ]
        read_only_fields = fields

    def get_secondary_certificate_fingerprint(self, app) -> str | None:
        return app.secondary_certificate_fingerprint or None

    def get_environment(self, app) -> str | None:
        return self.context["environment"]

    def get_open_request(self, app) -> int | None:
        return self.context["open_request"]


class AppUpdateSerializer(serializers.Serializer):
    source_networks = serializers.ListField(
        child=serializers.CharField(max_length=64, trim_whitespace=False),
        allow_empty=True,
        help_text="Networks in CIDR notation the firewall rules allow traffic from; "
        "empty means any. Stored in canonical form.",
    )

    def validate_source_networks(self, value):
        try:
            return source_networks_canonical(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class RequestEventSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(help_text="Empty for the first event (submission).")
    change = serializers.IntegerField(
        source="change_id",
        allow_null=True,
        read_only=True,
        help_text="The change request the event is about, if any.",
    )

    class Meta:
        model = RequestEvent
        fields = ["created_at", "from_status", "to_status", "reason", "change"]
        read_only_fields = fields


class RequestSerializer(serializers.ModelSerializer):
    app_id = serializers.CharField(source="app.app_id", read_only=True)
    customer = serializers.CharField(source="app.customer.slug", read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    isps = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    status = serializers.ChoiceField(choices=RequestStatus.choices, read_only=True)

    class Meta:
        model = ProvisioningRequest
        fields = [
            "id",
            "app_id",
            "customer",
            "status",
            "regions",
            "isps",
            "concurrency",
            "notes",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class RequestDetailSerializer(RequestSerializer):
    events = RequestEventSerializer(many=True, read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "events"]
        read_only_fields = fields


class RequestCreateSerializer(serializers.Serializer):
    app_id = serializers.RegexField(
        r"^[0-9a-f]{32}$", help_text="The App ID the proxy is for (one of your apps)."
    )
    regions = CodeRelatedField(
        slug_field="code", many=True, queryset=Region.objects.all(), allow_empty=False
    )
    isps = CodeRelatedField(
        slug_field="code", many=True, queryset=Isp.objects.all(), required=False, default=list
    )
    concurrency = serializers.IntegerField(min_value=1, max_value=MAX_CONCURRENCY)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=settings.NOTES_MAX_LENGTH
    )


class ChangeRequestSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(
        source="request_id", read_only=True, help_text="The proxy request this change is for."
    )
    app_id = serializers.CharField(source="request.app.app_id", read_only=True)
    status = serializers.ChoiceField(choices=ChangeStatus.choices, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    isps = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    summary = serializers.CharField(read_only=True, help_text="What the change does.")

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "request",
            "app_id",
            "status",
            "concurrency",
            "regions",
            "isps",
            "summary",
            "notes",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class ChangeRequestDetailSerializer(ChangeRequestSerializer):
    events = RequestEventSerializer(many=True, read_only=True)

    class Meta(ChangeRequestSerializer.Meta):
        fields = [*ChangeRequestSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ChangeRequestCreateSerializer(serializers.Serializer):
    """The sizing asked for; what is left out stays as it is."""

    concurrency = serializers.IntegerField(
        min_value=1, max_value=MAX_CONCURRENCY, required=False, help_text="New peak users."
    )
    regions = CodeRelatedField(
        slug_field="code",
        many=True,
        queryset=Region.objects.all(),
        allow_empty=False,
        required=False,
        help_text="Every region the app should have (codes), not only the new ones.",
    )
    isps = CodeRelatedField(
        slug_field="code",
        many=True,
        queryset=Isp.objects.all(),
        required=False,
        help_text="Every ISP the app should have (codes); empty for multi-line.",
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=settings.NOTES_MAX_LENGTH
    )

    def validate(self, attrs):
        if not {"concurrency", "regions", "isps"} & set(attrs):
            raise serializers.ValidationError("Give at least one of concurrency, regions and isps.")
        return attrs
