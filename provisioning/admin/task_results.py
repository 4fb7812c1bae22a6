"""Task and group results as records written by workers only: staff read them, never add.

django-celery-results lets staff "add" a result whose fields are all read-only, which
saves an empty task id and fails on the second try; the records have no use made by hand.
"""

from django.contrib import admin
from django_celery_results.admin import GroupResultAdmin, TaskResultAdmin
from django_celery_results.models import GroupResult, TaskResult


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
