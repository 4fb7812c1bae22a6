"""Record who changed what outside the request history, in the admin's history."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

AUDIT_ADDITION = ADDITION
AUDIT_CHANGE = CHANGE


def audit_record(*, actor, obj, action_flag: int, message: str) -> None:
    """Append ``message`` to ``obj``'s history as done by ``actor``, shown in the admin.

    Changes made by the system (no signed-in actor) are left to the objects' own time
    stamps; the request lifecycle keeps its own, richer history (RequestEvent).
    """
    if actor is None or not actor.is_authenticated:
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )
