"""Forms shared by the admin and the portal: password reset (the portal's for customers'
users, the admin's for staff) and source networks typed one per line."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from accounts.validators import source_network_line
from core.forms import LinesField


class MemberPasswordResetForm(PasswordResetForm):
    """Reset from the portal: customers' users only; staff use the admin's own reset."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if not user.is_staff)


class StaffPasswordResetForm(PasswordResetForm):
    """Reset from the admin's sign-in page: staff only."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)


class SourceNetworksField(LinesField):
    """An app's source networks, one per line (commas also separate), each line checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={
                    "rows": 4,
                    "spellcheck": "false",
                    "placeholder": "10.20.0.0/16\n2001:db8::/48",
                }
            ),
        )
        super().__init__(parse_line=source_network_line, split_on=r"[,;]", **kwargs)
