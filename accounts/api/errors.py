"""The body of every error answer of the API, for the schema."""

from rest_framework import serializers

# TODO(merge): core/errors.py owns the error shape; move ErrorSerializer there.


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per input field, for validation errors.",
    )
