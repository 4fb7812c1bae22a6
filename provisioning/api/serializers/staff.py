from rest_framework import serializers

from provisioning.models import ProxyPool


class PoolSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    isp = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Null: multi-line."
    )
    port_profile = serializers.SlugRelatedField(slug_field="code", read_only=True)
    prefixes = serializers.SlugRelatedField(slug_field="network", many=True, read_only=True)

    class Meta:
        model = ProxyPool
        fields = [
            "id",
            "name",
            "kind",
            "role",
            "scope",
            "region",
            "isp",
            "port_profile",
            "capacity_per_address",
            "redundancy",
            "quarantine_days",
            "enabled",
            "prefixes",
        ]
        read_only_fields = fields


class RequestActionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Why (audited)."
    )


STATE_HELP = (
    "Where the action stands: accepted (waiting for the task queue: the broker is "
    "unavailable and the task is sent once it is back), queued (waiting for a worker), "
    "running, retrying, done or failed; unknown for an id nothing was started with."
)


class TaskQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text="Poll GET /api/v1/tasks/{task_id}/ for its state.")
    state = serializers.CharField(help_text=STATE_HELP)
    message = serializers.CharField(help_text="Where the action stands, in words.")


class TaskSerializer(serializers.Serializer):
    task_id = serializers.CharField(read_only=True)
    task_name = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.CharField(
        read_only=True, help_text="Celery's name of the state: PENDING, STARTED, RETRY, ..."
    )
    state = serializers.CharField(read_only=True, help_text=STATE_HELP)
    message = serializers.CharField(read_only=True, help_text="Where it stands, in words.")
    attempts = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Times a worker started it."
    )
    date_created = serializers.DateTimeField(read_only=True, allow_null=True)
    date_done = serializers.DateTimeField(read_only=True, allow_null=True)
    result = serializers.JSONField(
        read_only=True, allow_null=True, help_text="The task's return value or error."
    )
