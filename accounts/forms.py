"""Password reset forms: the portal's for customers' users, the admin's for staff."""

from django.contrib.auth.forms import PasswordResetForm


class MemberPasswordResetForm(PasswordResetForm):
    """Reset from the portal: customers' users only; staff use the admin's own reset."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if not user.is_staff)


class StaffPasswordResetForm(PasswordResetForm):
    """Reset from the admin's sign-in page: staff only."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)
