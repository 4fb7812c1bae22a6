def sync_staff_groups(sender, using="default", **kwargs):
    """Refresh the staff groups once this app's permissions exist (after ``migrate``)."""
    from accounts.services.staff_groups import staff_groups_sync

    staff_groups_sync()
