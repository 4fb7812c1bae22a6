"""Record who changed what outside the request history, in the admin's history."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

AUDIT_ADDITION = ADDITION
AUDIT_CHANGE = CHANGE
AUDIT_DELETION = DELETION


def audit_record(*, actor, obj, action_flag: int, message: str) -> None:
    """Append ``message`` to ``obj``'s history as done by ``actor``, shown in the admin.

    Changes made by the system (no signed-in actor) are left to the objects' own time
    stamps; the request lifecycle keeps its own, richer history (RequestEvent). A change
    made with an API key is recorded as its issuer's, naming the key in the message.
    """
    api_key = getattr(actor, "api_key", None)
    if api_key is not None:
        user_id = api_key.created_by_id
        message = f"{message} (API key {api_key.prefix}\u2026)"
    else:
        user_id = actor.pk if actor is not None and actor.is_authenticated else None
    if user_id is None:
        return
    LogEntry.objects.log_actions(
        user_id=user_id,
        queryset=[obj],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )
