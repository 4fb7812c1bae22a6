"""The admin's coloured status badge as a template filter."""

from django import template

from core.badges import status_badge

register = template.Library()


@register.filter
def badge(obj):
    """Return the status badge of ``obj`` (a model with a ``status`` field with choices)."""
    return status_badge(obj.status, obj.get_status_display())
