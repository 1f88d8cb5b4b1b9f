"""Spreadsheet cells and files (CSV, XLSX) that never run as formulas.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, or the full-width ``＝ ＋ － ＠``, also after leading whitespace) is a
formula to Excel, LibreOffice and Google Sheets: a plan value like
``=HYPERLINK(...)`` would run on the reader's machine. ``safe_cell`` puts an
apostrophe in front of such text so it is shown as text; numbers, dates and
booleans stay what they are. Every CSV and XLSX writer goes through it.

CSV files are UTF-8 with a byte-order mark (Excel then reads Chinese correctly)
and CRLF line ends (RFC 4180, what Excel writes itself).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Characters that make a spreadsheet read a cell as a formula (or run DDE), with
# their full-width and typographic look-alikes.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠﹦﹢﹣−")
QUOTE = "'"
BOM = "\ufeff"
CSV_LINE_END = "\r\n"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet cell: dangerous text gets a leading apostrophe."""
    if isinstance(value, str) and is_dangerous(value):
        return QUOTE + value
    return value


# --- typed cells -----------------------------------------------------------------

KINDS = ("text", "number", "money", "percent", "date", "bool")
NUMBER_FORMATS = {
    "number": "#,##0.##",
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and value.strip():
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def typed(value: Any, kind: str) -> Any:
    """A JSON-ish value (numbers as str, ISO dates) as the Python value the cell holds:
    Decimal for numbers and money, a date for dates, text otherwise (made safe)."""
    if value is None or value == "":
        return None
    if kind in ("number", "money", "percent"):
        number = _decimal(value)
        if number is not None:
            return number
    elif kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                pass
    elif kind == "bool" and isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return safe_cell(value if isinstance(value, str) else str(value))


@dataclass(frozen=True)
class Sheet:
    """One table to write: a title, the header (label, kind) and the rows of values."""

    title: str
    header: Sequence[tuple[str, str]]
    rows: Sequence[Sequence[Any]]


def csv_text(value: Any, kind: str) -> str:
    cell = typed(value, kind)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def write_csv(sheets: Iterable[Sheet], *, titles: bool = True) -> bytes:
    """Tables in one CSV: each headed by its title on a line of its own (when
    ``titles``) and separated by an empty line. UTF-8 with BOM, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=CSV_LINE_END)
    for index, sheet in enumerate(sheets):
        if index:
            writer.writerow([])
        if titles:
            writer.writerow([safe_cell(sheet.title)])
        writer.writerow([safe_cell(label) for label, _kind in sheet.header])
        kinds = [kind for _label, kind in sheet.header]
        for row in sheet.rows:
            writer.writerow([csv_text(v, k) for v, k in zip(row, kinds, strict=False)])
    return (BOM + out.getvalue()).encode("utf-8")


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Excel sheet names: no []:*?/\\, at most 31 characters, unique (case-insensitive)."""
    names: list[str] = []
    seen: set[str] = set()
    for title in titles:
        base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'") or "Sheet"
        base = base[:SHEET_NAME_MAX]
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F4B7C")
TITLE_FONT = Font(bold=True, size=13)


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = value.isoformat() if isinstance(value, date) else str(value)
    # CJK characters are about twice as wide as Latin ones.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fill(ws: Worksheet, sheet: Sheet, *, money_format: str) -> None:
    ws.append([safe_cell(sheet.title)])
    ws.cell(row=1, column=1).font = TITLE_FONT
    ws.append([safe_cell(label) for label, _kind in sheet.header])
    for column in range(1, len(sheet.header) + 1):
        cell = ws.cell(row=2, column=column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    kinds = [kind for _label, kind in sheet.header]
    widths = [max(8, _width(label)) for label, _kind in sheet.header]
    for row in sheet.rows:
        values = [typed(v, k) for v, k in zip(row, kinds, strict=False)]
        ws.append(values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], _width(value))
    for column, kind in enumerate(kinds, start=1):
        fmt = money_format if kind == "money" else NUMBER_FORMATS.get(kind)
        if fmt:
            for (cell,) in ws.iter_rows(
                min_row=3, min_col=column, max_col=column, max_row=ws.max_row
            ):
                if cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = fmt
        ws.column_dimensions[get_column_letter(column)].width = min(60, widths[column - 1] + 2)
    ws.freeze_panes = "A3"


def write_xlsx(sheets: Sequence[Sheet], *, money_format: str = NUMBER_FORMATS["money"]) -> bytes:
    """One worksheet per table (names made valid and unique), title on the first
    row, a styled header, typed cells with number formats, sized columns."""
    workbook = Workbook()
    first = workbook.active
    names = sheet_names(s.title for s in sheets)
    if not sheets:
        assert first is not None
        first.title = "Sheet"
    for index, (sheet, name) in enumerate(zip(sheets, names, strict=True)):
        ws = first if index == 0 and first is not None else workbook.create_sheet()
        ws.title = name
        _fill(ws, sheet, money_format=money_format)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def money_format_for(currency: str) -> str:
    """An Excel number format showing the currency code: ``#,##0.00 "CNY"``."""
    code = re.sub(r"[^A-Z]", "", currency.upper())[:3]
    return f'#,##0.00 "{code}"' if code else NUMBER_FORMATS["money"]
