"""Admin bases for records that only services write (allocations, history, rule sets).

They sit in the lowest app that has an admin so that every app above can use them.
"""

from django.contrib import admin

from core.models import OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show records without add, change or delete: services own every write."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """List related records on a parent's page, read-only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Tasks written with the changes that need them; pending ones wait for the broker."""

    list_display = ("created_at", "task_name", "task_id", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "task_name")
    search_fields = ("task_id", "task_name")
    readonly_fields = (
        "task_name", "kwargs", "task_id", "status", "attempts", "next_attempt_at",
        "last_error", "created_at", "sent_at",
    )  # fmt: skip
