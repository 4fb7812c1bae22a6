"""Transaction-scoped locks that serialize writers across processes."""

import zlib

from django.db import connection


def advisory_lock(name: str) -> None:
    """Hold a lock called ``name`` until the current transaction ends.

    PostgreSQL takes a transaction-level advisory lock. SQLite needs none: it lets one
    writer in at a time and fails a second one that read before the first committed.
    """
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_lock() must be called inside transaction.atomic().")
    key = zlib.crc32(name.encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
