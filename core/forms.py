"""Form fields shared by the admin and the portal."""

import re
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

# Only ASCII blanks are trimmed: Unicode separators (U+2028, U+0085) stay in the line, so
# the line's own check refuses them instead of letting them pass unseen.
BLANKS = " \t\r"


class LinesField(forms.CharField):
    """A list typed one item per line in a textarea.

    Each line goes through ``parse_line``, which returns the item or raises ValueError with a
    sentence saying why; every refused line becomes one error that names it ("Line 2: …"),
    so all of them are shown at once. Blank lines are skipped and repeats dropped. With
    ``split_on`` (a regex), several items may share a line (e.g. commas).
    """

    def __init__(self, *, parse_line: Callable[[str], object], split_on: str = "", **kwargs):
        self.parse_line = parse_line
        self.split_on = split_on
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def _items(self, text: str):
        for number, line in enumerate(text.split("\n"), start=1):
            parts = re.split(self.split_on, line) if self.split_on else [line]
            for part in parts:
                part = part.strip(BLANKS)
                if part:
                    yield number, part

    def to_python(self, value):
        text = super().to_python(value) or ""
        items, errors = [], []
        for number, part in self._items(text):
            try:
                item = self.parse_line(part)
            except ValueError as exc:
                errors.append(ValidationError(f"Line {number}: {exc}", code="invalid_line"))
                continue
            if item not in items:
                items.append(item)
        if errors:
            raise ValidationError(errors)
        return items

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != list(initial or [])
        except ValidationError:
            return True
