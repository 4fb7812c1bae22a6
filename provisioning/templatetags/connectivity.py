"""The latest connectivity report of an app, on the portal app page and the admin request
page: ``{% load connectivity %}{% connectivity_section app %}``."""

from django import template

from provisioning.selectors.connectivity import connectivity_report_latest

register = template.Library()


def _context(app) -> dict:
    report = connectivity_report_latest(app=app)
    results = list(report.results.all()) if report else []
    return {
        "app": app,
        "report": report,
        "blocked_results": [r for r in results if not r.reachable],
    }


@register.inclusion_tag("portal/_connectivity.html")
def connectivity_section(app) -> dict:
    """Render the portal's "Connectivity" card of ``app``."""
    return _context(app)


@register.inclusion_tag("admin/provisioning/_connectivity_panel.html")
def connectivity_admin_panel(app) -> dict:
    """Render the admin's panel of ``app``'s latest connectivity report."""
    return _context(app)
