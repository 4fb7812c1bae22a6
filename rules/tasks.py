"""Celery tasks of the firewall rules: thin wrappers that take ids."""

from celery import shared_task

from core.queue import TASK_RETRY_OPTIONS
from rules.services.activation import rule_set_activations_due
from rules.services.exports import rule_exports_render_all


@shared_task(**TASK_RETRY_OPTIONS)
def rule_exports_render_task(rule_set_id: int) -> list[str]:
    """Render and store every export format of a rule set version (idempotent)."""
    exports = rule_exports_render_all(rule_set_id=rule_set_id)
    return [f"{export.format_name}:{export.status}" for export in exports]


@shared_task(**TASK_RETRY_OPTIONS)
def rule_set_activations_due_task() -> int:
    """Let rule set versions whose effective date has passed take effect (beat)."""
    return rule_set_activations_due()
