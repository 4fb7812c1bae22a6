"""Ask the rules of accounts/permissions.py from admin templates."""

from django import template

from accounts.permissions import staff_may as rule_staff_may

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_may(context, ability: str) -> bool:
    """Return whether the signed-in staff user may do ``ability``."""
    return rule_staff_may(user=context["request"].user, ability=ability)
