import json

from django_celery_results.models import TaskResult
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


class TaskQueuedSerializer(serializers.Serializer):
    task_id = serializers.CharField(help_text="Poll GET /api/v1/tasks/{task_id}/ for its state.")


class TaskSerializer(serializers.ModelSerializer):
    task_name = serializers.CharField(read_only=True, allow_null=True)
    date_created = serializers.DateTimeField(read_only=True, allow_null=True)
    date_done = serializers.DateTimeField(read_only=True, allow_null=True)
    result = serializers.SerializerMethodField(help_text="The task's return value or error.")

    class Meta:
        model = TaskResult
        fields = ["task_id", "task_name", "status", "date_created", "date_done", "result"]
        read_only_fields = fields

    def get_result(self, task) -> dict | list | str | int | float | bool | None:
        if not task.result:
            return None
        try:
            return json.loads(task.result)
        except ValueError:
            return task.result
