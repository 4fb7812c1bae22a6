def sync_staff_groups(sender, using="default", **kwargs):
    """Refresh the staff groups after ``migrate``, once every permission they hold exists."""
    from accounts.services.staff_groups import staff_groups_sync

    staff_groups_sync()
