"""Root URL configuration."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path


def healthz(request):
    """Answer liveness probes without touching the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("provisioning.api.urls")),
    path("", include("provisioning.portal.urls")),
]
