"""URLs of the REST API, mounted under /api/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from provisioning.api.errors import api_not_found
from provisioning.api.views import certificates, changes, connectivity, customer, sdk, staff

app_name = "api"

v1 = [
    path("sdk/proxy-config", sdk.SdkProxyConfigView.as_view(), name="sdk-proxy-config"),
    path("apps/", customer.AppListView.as_view(), name="app-list"),
    path("apps/<str:app_id>/", customer.AppDetailView.as_view(), name="app-detail"),
    path(
        "apps/<str:app_id>/certificates/secondary/",
        certificates.SecondaryCertificateView.as_view(),
        name="app-secondary-certificate",
    ),
    path(
        "apps/<str:app_id>/certificates/secondary/promote/",
        certificates.SecondaryCertificatePromoteView.as_view(),
        name="app-secondary-certificate-promote",
    ),
    path("apps/<str:app_id>/changes/", changes.ChangeListCreateView.as_view(), name="change-list"),
    path(
        "apps/<str:app_id>/changes/<int:pk>/",
        changes.ChangeDetailView.as_view(),
        name="change-detail",
    ),
    path(
        "apps/<str:app_id>/connectivity/reports/",
        connectivity.ConnectivityReportListCreateView.as_view(),
        name="connectivity-report-list",
    ),
    path(
        "apps/<str:app_id>/connectivity/probe.py",
        connectivity.ProbeScriptView.as_view(),
        name="connectivity-probe",
    ),
    path("", include("rules.api.urls")),
    path("", include("webhooks.api.urls")),
    path("requests/", customer.RequestListCreateView.as_view(), name="request-list"),
    path("requests/<int:pk>/", customer.RequestDetailView.as_view(), name="request-detail"),
    path(
        "requests/<int:pk>/<str:action>/",
        staff.RequestActionView.as_view(),
        name="request-action",
    ),
    path("pools/", staff.PoolListView.as_view(), name="pool-list"),
    path("pools/<int:pk>/", staff.PoolDetailView.as_view(), name="pool-detail"),
    path("tasks/<str:task_id>/", staff.TaskDetailView.as_view(), name="task-detail"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", api_not_found),
]
