"""Staff's notes on rule set versions: written, corrected and removed on the record."""

from django.db import transaction

from accounts.services.audit import AUDIT_ADDITION, AUDIT_CHANGE, audit_record
from rules.models import RuleSet, RuleSetNote


@transaction.atomic
def rule_set_note_set(*, rule_set: RuleSet, text: str, actor) -> RuleSetNote | None:
    """Make ``text`` the note shown with ``rule_set``; empty text removes the note.
    Return the note (None once removed)."""
    text = (text or "").strip()
    note = RuleSetNote.objects.select_for_update().filter(rule_set=rule_set).first()
    if not text:
        if note is not None:
            note.delete()
            audit_record(actor=actor, obj=rule_set.app, action_flag=AUDIT_CHANGE,
                         message=f"Note on rules version {rule_set.version} removed.")  # fmt: skip
        return None
    created = note is None
    note = note or RuleSetNote(rule_set=rule_set)
    if not created and note.text == text:
        return note
    note.text = text
    note.author = actor if actor is not None and actor.is_authenticated else None
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        obj=note,
        action_flag=AUDIT_ADDITION if created else AUDIT_CHANGE,
        message=f"Note on rules version {rule_set.version}: {text}",
    )
    return note
