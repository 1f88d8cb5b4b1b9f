"""Daily metric ids come in blocks of 2²¹ (``DailyMetric.ID_BLOCK``) on PostgreSQL.

The id sequence steps by a whole block: a row inserted one at a time takes the first
id of a fresh block, and an import takes one block for all its rows (at most
``monitoring.importer.MAX_ROWS`` < 2²¹) and numbers them itself. A ``COPY`` that
supplies its ids skips one ``nextval`` per row, which cost as much as the primary
key's index. SQLite keeps its own row ids.
"""

from django.db import migrations

ID_BLOCK = 2**21  # DailyMetric.ID_BLOCK when this was written


def step(increment: int):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("monitoring", "DailyMetric")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET INCREMENT BY {increment}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0007_compute_state_requests"),
    ]

    operations = [migrations.RunPython(step(ID_BLOCK), step(1), elidable=False)]
