"""Portal pages of an app's webhooks, included at the portal's root."""

from django.urls import path

from webhooks.portal import views

BASE = "apps/<str:app_id>/webhooks/"

urlpatterns = [
    path(BASE, views.webhooks_page, name="portal_webhooks"),
    path(f"{BASE}<int:pk>/", views.webhook_detail, name="portal_webhook_detail"),
    path(f"{BASE}<int:pk>/<str:action>/", views.webhook_action_view, name="portal_webhook_action"),
    path(
        f"{BASE}<int:pk>/deliveries/<int:delivery_id>/resend/",
        views.delivery_resend_view,
        name="portal_webhook_resend",
    ),
]
