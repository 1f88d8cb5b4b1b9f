"""A snapshot value as a reader sees it: localised numbers, money in the plan's currency,
dates in the active language's format, choice codes as their labels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from core.templatetags.almanac import format_amount
from planner import plan_data
from planner.plan_diff import PlanDiff


def display(value: Any, kind: str, currency: str, choices: dict[str, Any] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if choices and isinstance(value, str) and value in choices:
        return str(choices[value])
    if kind == "bool" or isinstance(value, bool):
        return _("Yes") if value else _("No")
    try:
        # never rounded further than the value: 4.95 % → 5 % must not read 5.0% → 5.0%
        if kind == "money":
            return format_amount(value, "money", currency, exact=True)
        if kind in ("percent", "ratio"):
            return format_amount(value, kind, exact=True)
        if kind == "number":
            number = Decimal(str(value))
            places = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
            return formats.number_format(number, places, use_l10n=True, force_grouping=True)
        if kind == "date":
            return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except (InvalidOperation, ValueError, TypeError):
        pass
    return str(value)


def decorate(result: PlanDiff, currency: str) -> None:
    """Give every changed cell its display text (``old_text`` / ``new_text``)."""
    for section in result.sections:
        for table in section.tables:
            spec = plan_data.spec(section.key, table.key)
            for row in table.rows:
                for cell in row.cells:
                    column = spec.column(cell.column) if spec else None
                    choices = column.choices if column else None
                    cell.old_text = display(cell.old, cell.kind, currency, choices)
                    cell.new_text = display(cell.new, cell.kind, currency, choices)
