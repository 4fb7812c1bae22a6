"""Template filters for address counts, which run from a handful to 2**64 and more."""

from django import template

register = template.Library()


@register.filter
def address_count(value) -> str:
    """Return ``value`` exactly, with thousands separators: an IPv6 /64 holds
    18,446,744,073,709,551,615 usable addresses, and "1.8e+19" says less than that."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:,}"
