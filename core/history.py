"""Readable change history from django-simple-history records, without N+1."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    who: Any
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's history_type)
    object_label: str
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def _display(record: Model, name: str) -> Any:
    getter = getattr(record, f"get_{name}_display", None)
    value = getter() if callable(getter) else getattr(record, name)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 60, not 60.000000
    return value


def history_entries(
    records: QuerySet[Any],
    fields: list[str],
    *,
    limit: int = 200,
    label: Callable[[Any], str] | None = None,
) -> list[HistoryEntry]:
    """Turn historical records of one model into entries, newest first.

    1. Load the records oldest first (one query, user joined).
    2. Walk them per object id, diffing each record against the previous one.
    3. Drop changes that touched none of ``fields`` (e.g. a bare version bump).

    ``label`` names the object from its record without a query (the default,
    ``str(record.instance)``, may follow foreign keys).
    """
    rows = list(records.select_related("history_user").order_by("history_date", "history_id"))
    previous: dict[Any, Model] = {}
    entries: list[HistoryEntry] = []
    for record in rows:
        model = record.instance_type
        labels = {f: str(model._meta.get_field(f).verbose_name) for f in fields}
        before = previous.get(record.id)
        changes: list[FieldChange] = []
        if record.history_type == "~" and before is not None:
            for name in fields:
                if getattr(before, name) != getattr(record, name):
                    changes.append(
                        FieldChange(
                            name, labels[name], _display(before, name), _display(record, name)
                        )
                    )
            if not changes:
                previous[record.id] = record
                continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                object_label=label(record) if label else str(record.instance),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous[record.id] = record
    entries.reverse()
    return entries[:limit]
