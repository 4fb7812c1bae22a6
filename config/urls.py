"""Root URL configuration."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path

from provisioning.api.health import readyz


def healthz(request):
    """Answer liveness probes without touching the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/password_reset/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/", include("provisioning.api.urls")),
    path("", include("provisioning.portal.urls")),
]
