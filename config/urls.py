"""Root URL configuration."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from provisioning.api.health import readyz
from rules.api.feed import feed_by_token


def healthz(request):
    """Answer liveness probes without touching the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/password_reset/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/", include("provisioning.api.urls")),
    path("feeds/apps/<str:app_id>/<str:token>.atom", feed_by_token, name="rules_feed_token"),
    path("", include("provisioning.portal.urls")),
]
