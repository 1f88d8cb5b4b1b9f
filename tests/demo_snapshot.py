"""The loaded demo, kept as a snapshot of the test database and put back in seconds.

``load_demo`` takes about a minute on PostgreSQL (half of that on SQLite); a dozen
test modules need the demo. A test session loads it once, snapshots every table
the demo touched, and each module that needs it restores that snapshot instead of
loading it again:

* **PostgreSQL**: each table ``COPY … TO STDOUT`` in binary into memory; restoring
  truncates the tables and copies them back in one transaction (Django's foreign
  keys are deferred, so the order does not matter), then puts every sequence back
  where it was.
* **SQLite** (an in-memory test database): the whole database through SQLite's
  online backup API, in both directions.
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction


@dataclass
class Snapshot:
    tables: dict[str, bytes] = field(default_factory=dict)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)
    sqlite: sqlite3.Connection | None = None


def take() -> Snapshot:
    """The test database as it is now (call it outside any transaction)."""
    snapshot = Snapshot()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        snapshot.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot.sqlite)
        return snapshot
    _require_postgresql()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: copy_expert
        for table in _tables():
            buffer = io.BytesIO()
            raw.copy_expert(f'COPY "{table}" TO STDOUT WITH (FORMAT binary)', buffer)
            snapshot.tables[table] = buffer.getvalue()
        for sequence in _sequences(cursor):
            cursor.execute(f'SELECT last_value, is_called FROM "{sequence}"')  # noqa: S608
            last_value, is_called = cursor.fetchone()
            snapshot.sequences[sequence] = (last_value, is_called)
    return snapshot


def restore(snapshot: Snapshot) -> None:
    """Put the test database back as it was when ``snapshot`` was taken."""
    connection.ensure_connection()
    if snapshot.sqlite is not None:
        snapshot.sqlite.backup(connection.connection)
    else:
        _require_postgresql()
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(f'"{table}"' for table in snapshot.tables)
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            raw = cursor.cursor
            for table, data in snapshot.tables.items():
                raw.copy_expert(f'COPY "{table}" FROM STDIN WITH (FORMAT binary)', io.BytesIO(data))
            for sequence, (last_value, is_called) in snapshot.sequences.items():
                cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
    ContentType.objects.clear_cache()  # ids may differ from those cached before


def row_counts() -> dict[str, int]:
    """Every table's number of rows."""
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _tables() -> list[str]:
    return sorted(
        connection.introspection.django_table_names(only_existing=True, include_views=False)
    )


def _sequences(cursor) -> list[str]:
    cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
    return [name for (name,) in cursor.fetchall()]


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise NotImplementedError(f"no demo snapshot for {connection.vendor}")
