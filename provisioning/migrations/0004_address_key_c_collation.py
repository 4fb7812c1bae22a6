"""Compare address keys byte by byte on PostgreSQL (COLLATE "C").

The keys are fixed-length lowercase hex, so every collation orders them alike, but the
"C" collation compares bytes: sorting and merging them is several times faster than under
a language collation, which matters when a free address is found by walking held keys in
order. SQLite already compares text as bytes (BINARY).
"""

from django.db import migrations

COLUMNS = [
    ("provisioning_allocatedendpoint", "address_key"),
    ("provisioning_excludedaddress", "address_key"),
]


def collate(apps, schema_editor, collation='"C"'):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(33) COLLATE {collation}"
        )


def uncollate(apps, schema_editor):
    collate(apps, schema_editor, collation='"default"')


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0003_allocation_address_keys")]

    operations = [migrations.RunPython(collate, uncollate)]
