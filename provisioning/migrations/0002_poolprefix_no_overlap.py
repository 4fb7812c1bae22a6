"""Refuse overlapping pool prefixes in the database itself.

PostgreSQL: GiST ``inet_ops`` lets an exclusion constraint reject any two prefixes that
overlap (``&&``). SQLite: triggers abort an insert or update that would overlap, using the
``cidr_overlaps`` function registered on every connection (provisioning.fields). The prefix
service also checks under a lock, to name the other pool in its message.
"""

from django.db import migrations

CONSTRAINT = "poolprefix_no_overlap"
SQLITE_TRIGGER = """
CREATE TRIGGER {name} BEFORE {event} ON provisioning_poolprefix
WHEN EXISTS (
    SELECT 1 FROM provisioning_poolprefix AS other
    WHERE other.id IS NOT NEW.id AND cidr_overlaps(other.network, NEW.network)
)
BEGIN
    SELECT RAISE(ABORT, 'pool prefixes must not overlap ({name})');
END
"""


def add_overlap_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE provisioning_poolprefix ADD CONSTRAINT {CONSTRAINT} "
            "EXCLUDE USING gist (network inet_ops WITH &&)"
        )
    elif vendor == "sqlite":
        for event in ("INSERT", "UPDATE"):
            name = f"{CONSTRAINT}_{event.lower()}"
            schema_editor.execute(SQLITE_TRIGGER.format(name=name, event=event))


def drop_overlap_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE provisioning_poolprefix DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )
    elif vendor == "sqlite":
        for event in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {CONSTRAINT}_{event}")


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]

    operations = [migrations.RunPython(add_overlap_guard, drop_overlap_guard)]
