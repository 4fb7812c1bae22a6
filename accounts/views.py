"""Password reset pages: throttled per address asked for and per client address."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.template.response import TemplateResponse
from django.urls import reverse_lazy

from accounts.forms import MemberPasswordResetForm, StaffPasswordResetForm
from accounts.services.throttles import attempt_allowed

THROTTLED_MESSAGE = "Too many reset requests. Try again in an hour."


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Send reset e-mails, at most a few an hour per e-mail address and per client."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        client = self.request.META.get("REMOTE_ADDR", "")
        allowed = attempt_allowed(
            scope="reset-account", key=email, limit=settings.PASSWORD_RESET_RATE_PER_ACCOUNT
        )
        allowed &= attempt_allowed(
            scope="reset-ip", key=client, limit=settings.PASSWORD_RESET_RATE_PER_IP
        )
        if not allowed:
            form.add_error(None, THROTTLED_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class MemberPasswordResetView(ThrottledPasswordResetView):
    form_class = MemberPasswordResetForm


class StaffPasswordResetView(ThrottledPasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "admin/password_reset/form.html"
    email_template_name = "admin/password_reset/email.txt"
    success_url = reverse_lazy("admin_password_reset_done")
    extra_context = {"site_header": "Proxy provisioning"}


class StaffPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "admin/password_reset/done.html"


class StaffPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "admin/password_reset/confirm.html"
    success_url = reverse_lazy("admin_password_reset_complete")


class StaffPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "admin/password_reset/complete.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "login_url": reverse_lazy("admin:login")}


class ConfirmLogoutView(auth_views.LogoutView):
    """Sign out on POST; a GET (a typed or bookmarked URL) asks to confirm with a button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return TemplateResponse(request, "registration/logout_confirm.html", {})
