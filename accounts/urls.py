"""The admin's own password reset for staff, mounted before the admin site."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.StaffPasswordResetView.as_view(), name="admin_password_reset"),
    path("done/", views.StaffPasswordResetDoneView.as_view(), name="admin_password_reset_done"),
    path(
        "<uidb64>/<token>/",
        views.StaffPasswordResetConfirmView.as_view(),
        name="admin_password_reset_confirm",
    ),
    path(
        "complete/",
        views.StaffPasswordResetCompleteView.as_view(),
        name="admin_password_reset_complete",
    ),
]
