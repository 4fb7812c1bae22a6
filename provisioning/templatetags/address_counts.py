"""Template filters for address counts, which run from a handful to 2**64 and more."""

from django import template

register = template.Library()

# Beyond this an exact count is noise to a reader: an IPv6 /64 alone holds 1.8e+19.
EXACT_COUNT_LIMIT = 1_000_000


@register.filter
def address_count(value) -> str:
    """Return ``value`` with thousands separators, or in scientific notation when huge."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    if abs(number) >= EXACT_COUNT_LIMIT:
        return f"{number:.1e}"
    return f"{number:,}"
