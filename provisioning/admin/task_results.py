"""Task and group results as records written by workers only, and the runs of staff
actions (written by services only): staff read them, never add.

django-celery-results lets staff "add" a result whose fields are all read-only, which
saves an empty task id and fails on the second try; the records have no use made by hand.
"""

from django.contrib import admin
from django_celery_results.admin import GroupResultAdmin, TaskResultAdmin
from django_celery_results.models import GroupResult, TaskResult

from core.admin import ReadOnlyAdmin
from provisioning.models import RequestActionRun


class WorkerWrittenMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TaskResultReadAdmin(WorkerWrittenMixin, TaskResultAdmin):
    pass


class GroupResultReadAdmin(WorkerWrittenMixin, GroupResultAdmin):
    pass


for model, model_admin in ((TaskResult, TaskResultReadAdmin), (GroupResult, GroupResultReadAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


@admin.register(RequestActionRun)
class RequestActionRunAdmin(ReadOnlyAdmin):
    """Staff actions queued as tasks and where each stands (written by services only)."""

    list_display = ("created_at", "request", "action", "state", "attempts", "actor", "message")
    list_filter = ("state", "action")
    search_fields = ("task_id", "request__app__app_id")
    readonly_fields = (
        "request", "action", "task_id", "actor", "state", "message", "outcome", "attempts",
        "lease_expires_at", "started_at", "finished_at", "created_at", "updated_at",
    )  # fmt: skip
    list_select_related = ("request", "actor")
