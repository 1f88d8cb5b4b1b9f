"""Database helpers that hold on every backend."""

from __future__ import annotations

from typing import Any

from django.db import models


class BlockRangeIndex(models.Index):
    """A BRIN index on PostgreSQL; an ordinary B-tree index elsewhere.

    For append-mostly tables loaded in large batches (daily metrics): a BRIN index
    keeps each block range's minimum and maximum, so adding a million rows costs
    almost nothing, while a scan for one plan's rows still skips the other plans'
    block ranges. SQLite has no BRIN; a B-tree serves the same queries there.
    """

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)
