"""Every periodic job, run by one `celery -A config beat`; intervals from the environment."""

from config.env import env_float, env_int


def beat_schedule() -> dict:
    """Return Celery beat's schedule (``CELERY_BEAT_SCHEDULE``)."""
    return {
        "expire-allocations": {
            "task": "provisioning.tasks.expire_allocations_task",
            "schedule": env_int("ALLOCATION_EXPIRY_INTERVAL_SECONDS", 600, minimum=10),
        },
        "allocation-reminders": {
            "task": "provisioning.tasks.allocation_reminders_task",
            "schedule": env_int("ALLOCATION_REMINDER_INTERVAL_SECONDS", 3600, minimum=60),
        },
        "relay-outbox": {
            "task": "core.tasks.outbox_relay_task",
            "schedule": env_float("OUTBOX_RELAY_INTERVAL_SECONDS", 10, minimum=0.5),
        },
        "sweep-request-actions": {
            "task": "provisioning.tasks.request_actions_sweep_task",
            "schedule": env_float("ACTION_SWEEP_INTERVAL_SECONDS", 15, minimum=0.5),
        },
        "rules-take-effect": {
            "task": "rules.tasks.rule_set_activations_due_task",
            "schedule": env_float("ACTIVATION_CHECK_INTERVAL_SECONDS", 60, minimum=1),
        },
        "pool-low-water": {
            "task": "provisioning.tasks.pool_low_water_task",
            "schedule": env_int("POOL_LOW_WATER_INTERVAL_SECONDS", 300, minimum=10),
        },
        "webhook-retries": {
            "task": "webhooks.retry_due",
            "schedule": env_float("WEBHOOK_RETRY_SWEEP_INTERVAL_SECONDS", 5, minimum=0.5),
        },
        # Sends yesterday's (UTC) digests on its first run after midnight; later runs of
        # the day find them sent.
        "rule-digests": {
            "task": "rules.tasks.rule_digests_task",
            "schedule": env_int("RULES_DIGEST_INTERVAL_SECONDS", 3600, minimum=60),
        },
    }
