"""URLs of the rules API, included under /api/v1/ by the project's API urls."""

from django.urls import path

from rules.api import feed, views
from rules.constants import LATEST

urlpatterns = [
    path("apps/<str:app_id>/rules/", views.RuleSetListView.as_view(), name="rule-list"),
    path(
        "apps/<str:app_id>/rules/version/",
        views.RuleSetVersionView.as_view(),
        name="rule-version",
    ),
    path(
        "apps/<str:app_id>/rules/changes/",
        views.RuleSetChangesView.as_view(),
        name="rule-changes",
    ),
    path("apps/<str:app_id>/rules/feed.atom", feed.RuleFeedView.as_view(), name="rule-feed"),
    path(
        "apps/<str:app_id>/rules/latest/",
        views.RuleSetDownloadView.as_view(),
        {"version": LATEST},
        name="rule-latest",
    ),
    path(
        "apps/<str:app_id>/rules/<str:version>/ack",
        views.RuleSetAcknowledgeView.as_view(),
        name="rule-acknowledge",
    ),
    path(
        "apps/<str:app_id>/rules/<str:version>/",
        views.RuleSetDownloadView.as_view(),
        name="rule-download",
    ),
    path("formats/", views.FormatListView.as_view(), name="format-list"),
]
