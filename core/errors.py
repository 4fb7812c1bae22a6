"""The JSON error shape every answer of the API uses: ``{"code", "message", "fields"?}``."""

from rest_framework import serializers


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Return the error shape; ``fields`` (messages per input field) only when given."""
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer, for the schema."""

    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per input field, for validation errors.",
    )
