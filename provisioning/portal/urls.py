"""URLs of the customer portal, mounted at the site root."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import ConfirmLogoutView, MemberPasswordResetView
from provisioning.portal import (
    activation,
    certificates,
    changes,
    connectivity,
    subscriptions,
    team,
    views,
)

urlpatterns = [
    path("", views.dashboard, name="portal_dashboard"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        MemberPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/logout/", ConfirmLogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("apps/<str:app_id>/", views.app_detail, name="portal_app_detail"),
    path(
        "apps/<str:app_id>/certificates/secondary/",
        certificates.secondary_generate,
        name="portal_certificate_generate",
    ),
    path(
        "apps/<str:app_id>/certificates/secondary/promote/",
        certificates.secondary_promote,
        name="portal_certificate_promote",
    ),
    path(
        "apps/<str:app_id>/certificates/secondary/remove/",
        certificates.secondary_remove,
        name="portal_certificate_remove",
    ),
    path("", include("webhooks.portal.urls")),
    path(
        "apps/<str:app_id>/activation/<str:version>/acknowledge/",
        activation.rules_acknowledge,
        name="portal_rules_acknowledge",
    ),
    path(
        "apps/<str:app_id>/subscription/",
        subscriptions.app_subscription,
        name="portal_app_subscription",
    ),
    path(
        "apps/<str:app_id>/subscription/feed-link/",
        subscriptions.feed_token_issue_view,
        name="portal_feed_token_issue",
    ),
    path(
        "apps/<str:app_id>/subscription/feed-link/revoke/",
        subscriptions.feed_token_revoke_view,
        name="portal_feed_token_revoke",
    ),
    path(
        "apps/<str:app_id>/rules/<str:version>/<str:format_name>/",
        views.rules_download,
        name="portal_rules_download",
    ),
    path(
        "apps/<str:app_id>/connectivity/",
        connectivity.check,
        name="portal_connectivity_check",
    ),
    path(
        "apps/<str:app_id>/connectivity/report/",
        connectivity.report,
        name="portal_connectivity_report",
    ),
    path(
        "apps/<str:app_id>/connectivity/reports/<int:pk>/missing/",
        connectivity.missing,
        name="portal_connectivity_missing",
    ),
    path(
        "apps/<str:app_id>/connectivity/link/",
        connectivity.link_create,
        name="portal_connectivity_link",
    ),
    path(
        "apps/<str:app_id>/connectivity/probe.py",
        connectivity.probe_download,
        name="portal_connectivity_probe",
    ),
    path(
        "connectivity/check/<str:token>/",
        connectivity.public_check,
        name="connectivity_public_check",
    ),
    path(
        "connectivity/check/<str:token>/report/",
        connectivity.public_report,
        name="connectivity_public_report",
    ),
    path(
        "connectivity/check/<str:token>/reports/<int:pk>/missing/",
        connectivity.public_missing,
        name="connectivity_public_missing",
    ),
    path("requests/", changes.request_list, name="portal_request_list"),
    path("requests/new/", views.request_create, name="portal_request_create"),
    path("requests/<int:pk>/", views.request_detail, name="portal_request_detail"),
    path("requests/<int:pk>/change/", changes.change_create, name="portal_change_create"),
    path("team/", team.team, name="portal_team"),
    path("team/<int:pk>/remove/", team.member_remove_view, name="portal_member_remove"),
    path(
        "invitations/<str:token>/",
        team.invitation_accept_view,
        name="portal_invitation_accept",
    ),
    path("api-keys/", views.api_keys, name="portal_api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="portal_api_key_revoke"),
]
