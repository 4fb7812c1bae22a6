from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import App
from rules.exports.registry import FORMATS
from rules.models import RuleSet
from rules.selectors import rule_set_resolve
from rules.services.exports import rule_export_get_or_render


class Command(BaseCommand):
    help = "Write an app's firewall rules in one format to stdout."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names a rule set version here, not the Django version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("app_id", help="The App ID (32 hex characters).")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument("--version", dest="rule_version", help="YYYYMMDDNN; default latest.")

    def handle(self, *args, app_id, fmt, rule_version=None, **options):
        app = App.objects.filter(app_id=app_id).first()
        if app is None:
            raise CommandError(f"No app with App ID {app_id!r}.")
        try:
            rule_set = rule_set_resolve(app=app, version=rule_version or None)
        except RuleSet.DoesNotExist:
            if rule_version:
                message = f"App {app_id} has no rule set version {rule_version!r}."
            else:
                message = f"App {app_id} has no published rule set yet."
            raise CommandError(message) from None
        try:
            export = rule_export_get_or_render(rule_set=rule_set, format_name=fmt)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(export.content, ending="")
