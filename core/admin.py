"""Admin bases for records that only services write (allocations, history, rule sets).

They sit in the lowest app that has an admin so that every app above can use them.
"""

from django.contrib import admin


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
