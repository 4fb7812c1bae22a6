"""URLs of the webhook API, included under /api/v1/ by the project's API urls."""

from django.urls import path

from webhooks.api import views

BASE = "apps/<str:app_id>/webhooks/"

urlpatterns = [
    path(BASE, views.WebhookListCreateView.as_view(), name="webhook-list"),
    path(f"{BASE}<int:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path(f"{BASE}<int:pk>/rotate/", views.WebhookRotateView.as_view(), name="webhook-rotate"),
    path(f"{BASE}<int:pk>/test/", views.WebhookTestView.as_view(), name="webhook-test"),
    path(
        f"{BASE}<int:pk>/deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        f"{BASE}<int:pk>/deliveries/<int:delivery_id>/resend/",
        views.WebhookDeliveryResendView.as_view(),
        name="webhook-delivery-resend",
    ),
]
