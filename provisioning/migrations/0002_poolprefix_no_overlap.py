"""Refuse overlapping pool prefixes in PostgreSQL itself.

PostgreSQL's GiST ``inet_ops`` lets an exclusion constraint reject any two prefixes that
overlap (``&&``). SQLite has no such constraint; there the prefix service checks overlaps
under a lock, as it also does on PostgreSQL to name the other pool in its message.
"""

from django.db import migrations

CONSTRAINT = "poolprefix_no_overlap"


def add_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE provisioning_poolprefix ADD CONSTRAINT {CONSTRAINT} "
            "EXCLUDE USING gist (network inet_ops WITH &&)"
        )


def drop_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE provisioning_poolprefix DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion_constraint, drop_exclusion_constraint)]
