"""Celery tasks of the firewall rules: thin wrappers that take ids."""

from celery import shared_task

from core.queue import TASK_RETRY_OPTIONS
from rules.services.activation import rule_set_activations_due
from rules.services.exports import rule_exports_render_all
from rules.services.subscription_mail import rule_digests_send, rule_set_notices_send


@shared_task(**TASK_RETRY_OPTIONS)
def rule_exports_render_task(rule_set_id: int) -> list[str]:
    """Render and store every export format of a rule set version (idempotent)."""
    exports = rule_exports_render_all(rule_set_id=rule_set_id)
    return [f"{export.format_name}:{export.status}" for export in exports]


@shared_task(**TASK_RETRY_OPTIONS)
def rule_set_activations_due_task() -> int:
    """Let rule set versions whose effective date has passed take effect (beat)."""
    return rule_set_activations_due()


@shared_task(**TASK_RETRY_OPTIONS)
def rule_set_notice_task(rule_set_id: int) -> dict:
    """E-mail the immediate subscribers of a version's app about it, once each."""
    return {"rule_set_id": rule_set_id, "sent": rule_set_notices_send(rule_set_id=rule_set_id)}


@shared_task(**TASK_RETRY_OPTIONS)
def rule_digests_task() -> dict:
    """E-mail yesterday's digest to each daily subscriber whose apps changed (periodic)."""
    return rule_digests_send()
