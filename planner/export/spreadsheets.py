"""The plan's tables (planner.plan_data) as XLSX and CSV files.

One section → an XLSX with one sheet per table, or one CSV with the tables one
after another, each headed by its title on a line of its own and separated by an
empty line. The whole plan → one XLSX, one sheet per table (names ≤ 31
characters, unique). Every cell goes through core.spreadsheet (formula escaping,
numbers as numbers, money with the plan's currency format, dates as dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import spreadsheet
from planner.models import Plan


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    body: bytes


class UnknownSection(LookupError):
    pass


def _sheet(table: Any) -> spreadsheet.Sheet:
    """A plan_data table as a sheet: choice codes shown as their labels (in the active
    language); the row's label leads unless a column already holds it."""
    columns = list(table.columns)
    keys = {c.key for c in columns}
    with_label = not keys & {"label", "name", "title", "subject"}
    header: list[tuple[str, str]] = [(_("Name"), "text")] if with_label else []
    header += [(str(c.label), c.kind) for c in columns]
    rows = []
    for row in table.rows:
        values = [c.display(row.values.get(c.key)) for c in columns]
        rows.append([row.label, *values] if with_label else values)
    return spreadsheet.Sheet(title=str(table.title), header=header, rows=rows)


def sheets(data: Any, section: str | None = None) -> list[spreadsheet.Sheet]:
    found = []
    for part in data.sections:
        if section is not None and part.key != section:
            continue
        found += [_sheet(table) for table in part.tables]
    return found


def base_name(plan: Plan) -> str:
    slug = slugify(plan.name) or f"plan-{plan.pk}"
    return f"almanac-{plan.year}-{slug}"


def _collect(plan: Plan) -> Any:
    from planner import plan_data

    return plan_data.collect(plan)


def section_keys(data: Any) -> list[str]:
    return [part.key for part in data.sections]


def section_file(plan: Plan, section: str, fmt: str) -> ExportFile:
    data = _collect(plan)
    if section not in section_keys(data):
        raise UnknownSection(section)
    found = sheets(data, section)
    name = f"{base_name(plan)}-{section}"
    if fmt == "csv":
        return ExportFile(f"{name}.csv", spreadsheet.CSV_CONTENT_TYPE, spreadsheet.write_csv(found))
    return ExportFile(
        f"{name}.xlsx",
        spreadsheet.XLSX_CONTENT_TYPE,
        spreadsheet.write_xlsx(found, money_format=spreadsheet.money_format_for(plan.currency)),
    )


def plan_file(plan: Plan) -> ExportFile:
    data = _collect(plan)
    return ExportFile(
        f"{base_name(plan)}.xlsx",
        spreadsheet.XLSX_CONTENT_TYPE,
        spreadsheet.write_xlsx(
            sheets(data), money_format=spreadsheet.money_format_for(plan.currency)
        ),
    )


def plan_csv(plan: Plan) -> ExportFile:
    return ExportFile(
        f"{base_name(plan)}.csv",
        spreadsheet.CSV_CONTENT_TYPE,
        spreadsheet.write_csv(sheets(_collect(plan))),
    )
