"""Coloured status badges for the admin and the portal."""

from django.utils.html import format_html

# Green: in service; amber: in progress; red: failed or refused; grey: finished.
BADGE_COLOURS = {
    "active": "#1a7f37",
    "testing": "#9a6700",
    "submitted": "#0969da",
    "production_pending": "#9a6700",
    "pending": "#9a6700",
    "suspended": "#bc4c00",
    "disabled": "#bc4c00",
    "failed": "#cf222e",
    "rejected": "#cf222e",
    "revoked": "#57606a",
    "released": "#57606a",
    "expired": "#57606a",
}


def status_badge(value: str, label: str):
    """Return an HTML badge for a status ``value`` shown as ``label``."""
    colour = BADGE_COLOURS.get(value, "#57606a")
    return format_html(
        '<span class="status-badge status-{}" style="display:inline-block;padding:1px 8px;'
        "border-radius:10px;color:#fff;background:{};font-weight:600;font-size:11px;"
        'white-space:nowrap">{}</span>',
        value,
        colour,
        label,
    )
