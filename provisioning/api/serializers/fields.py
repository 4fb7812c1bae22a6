"""Serializer fields shared by the API's input serializers."""

from rest_framework import serializers


class CodeRelatedField(serializers.SlugRelatedField):
    """A related object named by its code; a code holding NUL names nothing.

    PostgreSQL text cannot hold NUL, so such a code is refused before it reaches a query.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)
