"""Import a plan's KOL/KOC roster from a CSV or Excel file.

File format
-----------
* A ``.csv`` file (UTF-8, with or without a byte-order mark, or GBK/GB18030 as Excel
  saves "CSV" on a Chinese system) or an ``.xlsx`` workbook (the first sheet is read).
  At most 2 MB and 5,000 data rows.
* The first non-empty row is the header. Header names are fixed, but their case,
  surrounding spaces and order are free. Any other column is refused.

  Columns (``name``, ``platform`` and ``tier`` are required, the others may be left
  out, and their cells may be empty):

  - ``name``: the creator's name, at most 120 characters.
  - ``platform``: where they publish (Douyin, 小红书, Bilibili…), at most 60 characters.
  - ``tier``: ``head``, ``mid`` or ``koc`` in any case, or 头部, 腰部, 素人.
  - ``followers``: a whole number ≥ 0: ``12000``, ``12,000``, ``1.2万``, ``3.5w``
    (万 or w = 10,000).
  - ``fee``: the fee per cooperation in the plan's currency, ≥ 0, at most 2 decimals:
    ``12000``, ``¥12,000.50``, ``1.5万``; for a CNY plan also ``12000元``. A sign of
    another currency (``$100`` in a CNY plan) is refused.
  - ``category``: free text such as beauty or food, at most 80 characters.
  - ``profile_url``: a link starting with ``http://`` or ``https://``.
  - ``contact_owner``: the username of an active member of the plan's workspace.

* A creator is identified by platform and name (exactly as written). A row for a
  creator already on the roster updates it; other rows add creators. A column that
  is absent, or a cell left empty, keeps the creator's current value (a new creator
  gets the default: 0 followers, no fee, no category, link or owner). Empty rows are
  skipped.
* The file is checked as a whole before anything is written. If any row is wrong,
  nothing is imported and every problem is listed by row (as numbered in a
  spreadsheet: the header is row 1, the first data row is row 2), column and reason.
  The same platform and name twice in one file is a problem too.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, Literal

import pandas as pd
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.models import Creator, CreatorTier
from core.errors import InvalidInput
from core.locking import update_versioned
from planner.editing import plan_for_edit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from planner.models import Plan

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "ImportResult",
    "RosterImportError",
    "RowError",
    "import_roster",
    "read_table",
    "validate",
]

COLUMNS: tuple[str, ...] = (
    "name",
    "platform",
    "tier",
    "followers",
    "fee",
    "category",
    "profile_url",
    "contact_owner",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "platform", "tier")
EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_LISTED_ERRORS = 100  # lines in ``fields["file"]``; ``errors`` keeps them all

TIER_WORDS: dict[str, str] = {
    "head": CreatorTier.HEAD,
    "头部": CreatorTier.HEAD,
    "mid": CreatorTier.MID,
    "腰部": CreatorTier.MID,
    "koc": CreatorTier.KOC,
    "素人": CreatorTier.KOC,
}
# Currency marks accepted in the fee column, by the plan's currency. ``NFKC`` has
# already turned the full-width ￥ into ¥.
CURRENCY_PREFIXES: dict[str, tuple[str, ...]] = {
    "CNY": ("¥",),
    "JPY": ("¥",),
    "USD": ("US$", "$"),
    "HKD": ("HK$", "$"),
    "EUR": ("€",),
    "GBP": ("£",),
}
CURRENCY_SUFFIXES: dict[str, tuple[str, ...]] = {"CNY": ("元",)}
CURRENCY_MARKS = "¥$€£"

TEN_THOUSAND = Decimal(10_000)  # 万, also written w
MAX_FOLLOWERS = 2**63 - 1  # PositiveBigIntegerField
_NUMBER = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[万wW])?"
)
_MAX_DIGITS = 30  # longer numbers are refused before any arithmetic
_URL = URLValidator(schemes=["http", "https"])
_SHOWN_LENGTH = 40


# --- errors ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` as numbered in a spreadsheet (header = 1, first data
    row = 2; 0 for the file as a whole), ``column`` a column name (a header problem
    names the column as written, or its letter; empty for the whole file)."""

    row: int
    column: str
    message: str

    def line(self) -> str:
        """The problem as one readable line, e.g. "Row 3, column fee: must be …"."""
        if self.row == 0:
            return self.message
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class RosterImportError(InvalidInput):
    """The file was refused; ``errors`` lists every problem, ``fields["file"]``
    the first ``MAX_LISTED_ERRORS`` of them as readable lines."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        lines = [error.line() for error in self.errors[:MAX_LISTED_ERRORS]]
        rest = count - len(lines)
        if rest > 0:
            lines.append(
                ngettext("…and %(count)s more problem.", "…and %(count)s more problems.", rest)
                % {"count": rest}
            )
        message = ngettext(
            "The file has %(count)s problem; nothing was imported.",
            "The file has %(count)s problems; nothing was imported.",
            count,
        ) % {"count": count}
        super().__init__(message, fields={"file": lines})


def _refuse(message: str, *, row: int = 0, column: str = "") -> RosterImportError:
    return RosterImportError([RowError(row, column, message)])


class _BadCell(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(text: str) -> str:
    """A cell's text, shortened for a message."""
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- reading --------------------------------------------------------------------

Upload = bytes | bytearray | memoryview | IO[bytes]


def _read_bytes(upload: Any) -> bytes:
    """The file's bytes from a Django ``UploadedFile``, a file object or bytes."""
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)  # an UploadedFile knows; refuse unread
        if isinstance(size, int) and size > MAX_BYTES:
            raise _too_big()
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_big()
    return data


def _too_big() -> RosterImportError:
    return _refuse(
        _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)}
    )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(_("The file cannot be read as text; save it as CSV in UTF-8 or GBK."))


def _csv_records(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\0" in text:
        raise _refuse(_("The file is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    row = 0
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise _refuse(_("The file cannot be read as CSV from this row on."), row=row) from None
        yield record


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person sees, without rounding or reformatting."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    unreadable = _("The file is not a readable Excel (.xlsx) workbook.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a zip, not a workbook, a damaged part…
        raise _refuse(unreadable) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong sheet sizes
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet
                raise _refuse(unreadable) from None
            yield [_cell_text(value) for value in values]
    except IndexError:  # no worksheet at all
        raise _refuse(unreadable) from None
    finally:
        workbook.close()


def read_table(upload: Upload, *, filename: str) -> pd.DataFrame:
    """The upload as a table of text, ready for :func:`validate`.

    ``upload`` is a Django ``UploadedFile``, a binary file object or bytes; the format
    follows ``filename``'s extension (``.csv`` or ``.xlsx``). Every cell is a string
    with surrounding spaces removed (nothing is converted); the columns are the header
    cells as written; the index is each row's number in the spreadsheet (header row 1,
    unless empty rows precede it: ``df.attrs["header_row"]``); empty rows are left out.

    Raises :class:`RosterImportError` for another extension, a file over 2 MB, an
    unreadable, empty or header-only file, and more than 5,000 data rows.
    """
    extension = PurePath(filename).suffix.lower()
    if extension not in EXTENSIONS:
        raise _refuse(
            _("Upload a .csv or .xlsx file; “%(filename)s” is neither.")
            % {"filename": _shown(PurePath(filename).name)}
        )
    data = _read_bytes(upload)
    records = _csv_records(data) if extension == ".csv" else _xlsx_records(data)

    header: list[str] | None = None
    header_row = 1
    body: list[list[str]] = []
    numbers: list[int] = []
    for row, record in enumerate(records, start=1):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if header is None:
            header, header_row = cells, row
            continue
        if len(body) == MAX_ROWS:
            raise _refuse(
                _("The file has more than %(limit)s data rows; split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        body.append(cells)
        numbers.append(row)
    if header is None:
        raise _refuse(_("The file is empty."))
    if not body:
        raise _refuse(_("The file has a header row but no data rows."))

    width = max(len(header), *(len(cells) for cells in body))
    header += [""] * (width - len(header))
    for cells in body:
        cells += [""] * (width - len(cells))
    table = pd.DataFrame(
        body,
        columns=pd.Index(header, dtype=object),
        index=pd.Index(numbers, name="row"),
        dtype=str,
    )
    table.attrs["header_row"] = header_row
    return table


# --- checking cells ---------------------------------------------------------------


def _text_parser(field: str) -> Any:
    limit: int | None = getattr(Creator._meta.get_field(field), "max_length", None)

    def parse(text: str) -> str:
        if limit is not None and len(text) > limit:
            raise _BadCell(
                _("must be at most %(limit)s characters long (this is %(length)s)")
                % {"limit": limit, "length": len(text)}
            )
        return text

    return parse


def _parse_tier(text: str) -> str:
    tier = TIER_WORDS.get(unicodedata.normalize("NFKC", text).lower())
    if tier is None:
        raise _BadCell(
            _("“%(value)s” is not a tier; use head, mid or koc (头部, 腰部, 素人)")
            % {"value": _shown(text)}
        )
    return tier


def _number(text: str) -> Decimal | None:
    """``12000``, ``12,000``, ``1.2万``, ``3.5w`` as a Decimal; None if not a number ≥ 0."""
    match = _NUMBER.fullmatch(text)
    if match is None or len(match["number"]) > _MAX_DIGITS:
        return None
    try:
        value = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    return value * TEN_THOUSAND if match["unit"] else value


def _too_large(limit: str, text: str) -> _BadCell:
    return _BadCell(
        _("must be at most %(limit)s (not “%(value)s”)") % {"limit": limit, "value": _shown(text)}
    )


def _parse_followers(text: str) -> int:
    value = _number(unicodedata.normalize("NFKC", text))
    if value is None or value != value.to_integral_value():
        raise _BadCell(_("must be a whole number ≥ 0 (not “%(value)s”)") % {"value": _shown(text)})
    if value > MAX_FOLLOWERS:
        raise _too_large(f"{MAX_FOLLOWERS:,}", text)
    return int(value)


def _fee_parser(currency: str) -> Any:
    field = Creator._meta.get_field("fee")
    places = Decimal(1).scaleb(-(field.decimal_places or 0))
    ceiling = Decimal(10) ** ((field.max_digits or 14) - (field.decimal_places or 0))
    prefixes = CURRENCY_PREFIXES.get(currency, ())
    suffixes = CURRENCY_SUFFIXES.get(currency, ())

    def parse(text: str) -> Decimal:
        amount = unicodedata.normalize("NFKC", text)
        for prefix in prefixes:
            if amount.startswith(prefix):
                amount = amount.removeprefix(prefix).lstrip()
                break
        for suffix in suffixes:
            if amount.endswith(suffix):
                amount = amount.removesuffix(suffix).rstrip()
                break
        if amount[:1] in CURRENCY_MARKS:
            raise _BadCell(
                _("must be an amount in %(currency)s, the plan's currency (not “%(value)s”)")
                % {"currency": currency, "value": _shown(text)}
            )
        value = _number(amount)
        if value is None:
            raise _BadCell(_("must be a number ≥ 0 (not “%(value)s”)") % {"value": _shown(text)})
        if value >= ceiling:  # checked first: quantize() fails on huge numbers
            raise _too_large(f"{ceiling - places:,}", text)
        if value != value.quantize(places):
            raise _BadCell(
                _("must have at most 2 decimal places (not “%(value)s”)") % {"value": _shown(text)}
            )
        return value.quantize(places)

    return parse


def _parse_url(text: str) -> str:
    limit = Creator._meta.get_field("profile_url").max_length or 200
    try:
        _URL(text)
    except ValidationError:
        raise _BadCell(
            _("must be a link starting with http:// or https:// (not “%(value)s”)")
            % {"value": _shown(text)}
        ) from None
    if len(text) > limit:
        raise _BadCell(
            _("must be at most %(limit)s characters long (this is %(length)s)")
            % {"limit": limit, "length": len(text)}
        )
    return text


def _owner_parser(plan: Plan) -> Any:
    members = {
        user.username: user
        for user in get_user_model().objects.filter(
            memberships__workspace_id=plan.workspace_id, is_active=True
        )
    }

    def parse(text: str) -> Any:
        user = members.get(text)
        if user is None:
            raise _BadCell(
                _("“%(value)s” is not a member of this workspace") % {"value": _shown(text)}
            )
        return user

    return parse


# --- checking the table -----------------------------------------------------------


def _header_errors(df: pd.DataFrame, header_row: int) -> tuple[dict[str, int], list[RowError]]:
    """Where each known column is, and what is wrong with the header."""
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for position, label in enumerate(df.columns):
        written = str(label).strip()
        key = written.lower()
        if not key:
            if (df.iloc[:, position] != "").any():
                errors.append(
                    RowError(
                        header_row,
                        _column_letter(position),
                        _("this column has values but no header"),
                    )
                )
        elif key not in COLUMNS:
            errors.append(
                RowError(
                    header_row,
                    written,
                    _("unknown column; the columns are %(columns)s")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
        elif key in positions:
            errors.append(RowError(header_row, key, _("this column appears more than once")))
        else:
            positions[key] = position
    errors += [
        RowError(header_row, key, _("this required column is missing"))
        for key in REQUIRED_COLUMNS
        if key not in positions
    ]
    return positions, errors


def _duplicate_errors(df: pd.DataFrame, positions: dict[str, int]) -> list[RowError]:
    """Both (all) rows of a platform and name that appear more than once."""
    if "name" not in positions or "platform" not in positions:
        return []
    keys = pd.DataFrame(
        {"platform": df.iloc[:, positions["platform"]], "name": df.iloc[:, positions["name"]]}
    )
    keys = keys[(keys["platform"] != "") & (keys["name"] != "")]
    repeated = keys[keys.duplicated(keep=False)]
    errors: list[RowError] = []
    for (platform, name), group in repeated.groupby(["platform", "name"], sort=False):
        rows = [int(row) for row in group.index]
        for row in rows:
            others = [other for other in rows if other != row]
            errors.append(
                RowError(
                    row,
                    "name",
                    ngettext(
                        "“%(name)s” on %(platform)s is also in row %(rows)s",
                        "“%(name)s” on %(platform)s is also in rows %(rows)s",
                        len(others),
                    )
                    % {
                        "name": _shown(str(name)),
                        "platform": _shown(str(platform)),
                        "rows": ", ".join(map(str, others)),
                    },
                )
            )
    return errors


def validate(df: pd.DataFrame, *, plan: Plan) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Check a table from :func:`read_table` as a whole.

    Returns the good rows and every problem found (not just the first). Each good
    row is a dict with ``"row"`` (its spreadsheet row number) and a value for each
    column present in the file: ``name``, ``platform``, ``category``,
    ``profile_url`` as text, ``tier`` as a ``CreatorTier`` value, ``followers`` as an
    int, ``fee`` as a Decimal, ``contact_owner`` as a user; ``None`` for an empty cell
    of an optional column. Rows with any problem are left out of the first list.
    """
    header_row = int(df.attrs.get("header_row", 1))
    positions, errors = _header_errors(df, header_row)
    parsers: dict[str, Any] = {
        "name": _text_parser("name"),
        "platform": _text_parser("platform"),
        "tier": _parse_tier,
        "followers": _parse_followers,
        "fee": _fee_parser(plan.currency),
        "category": _text_parser("category"),
        "profile_url": _parse_url,
        "contact_owner": _owner_parser(plan) if "contact_owner" in positions else None,
    }

    values: dict[int, dict[str, Any]] = {int(row): {"row": int(row)} for row in df.index}
    bad_rows: set[int] = set()
    for key in COLUMNS:  # in this order, so a row's problems read left to right
        if key not in positions:
            continue
        parse = parsers[key]
        for raw_row, text in df.iloc[:, positions[key]].items():
            row = int(raw_row)
            if text == "":
                if key in REQUIRED_COLUMNS:
                    errors.append(RowError(row, key, _("must not be empty")))
                    bad_rows.add(row)
                values[row][key] = None
                continue
            try:
                values[row][key] = parse(text)
            except _BadCell as bad:
                errors.append(RowError(row, key, bad.message))
                bad_rows.add(row)

    duplicates = _duplicate_errors(df, positions)
    errors += duplicates
    bad_rows.update(error.row for error in duplicates)
    order = {key: index for index, key in enumerate(COLUMNS)}
    errors.sort(key=lambda error: (error.row, order.get(error.column, len(order))))
    if any(error.row == header_row for error in errors):
        return [], errors
    good = [row for number, row in values.items() if number not in bad_rows]
    return good, errors


# --- importing --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0  # rows that matched a creator whose values were already the same


ImportMode = Literal["upsert", "create"]
_FIELDS = ("tier", "followers", "fee", "category", "profile_url", "contact_owner")
HISTORY_REASON = "roster_import"


def _differs(creator: Creator, field: str, value: Any) -> bool:
    if field == "contact_owner":
        return creator.contact_owner_id != value.pk
    return bool(getattr(creator, field) != value)


def import_roster(
    *,
    plan: Plan,
    upload: Upload,
    filename: str,
    actor: User,
    mode: ImportMode = "upsert",
) -> ImportResult:
    """Import a roster file (see the module docstring) into ``plan``, all or nothing.

    ``mode="upsert"`` updates creators already on the roster (same platform and
    name) and adds the others; ``mode="create"`` only adds, and refuses a file with
    a creator already on the roster. Raises ``NotAllowed`` (not an editor of the
    plan's workspace), ``Locked`` (the plan is not a draft), ``RosterImportError``
    (the file is wrong: nothing was written) or ``StaleVersion`` (a creator was
    changed while the file was imported: nothing was written).
    """
    if mode not in ("upsert", "create"):
        raise ValueError(f"unknown import mode {mode!r}")
    with transaction.atomic():
        plan = plan_for_edit(plan_id=plan.pk, actor=actor)
        rows, errors = validate(read_table(upload, filename=filename), plan=plan)
        existing = {
            (creator.platform, creator.name): creator
            for creator in Creator.objects.filter(plan=plan).select_for_update()
        }
        if mode == "create":
            errors += [
                RowError(row["row"], "name", _("this creator is already on the roster"))
                for row in rows
                if (row["platform"], row["name"]) in existing
            ]
            errors.sort(key=lambda error: error.row)
        if errors:
            raise RosterImportError(errors)

        created = updated = unchanged = 0
        for row in rows:
            given = {field: row[field] for field in _FIELDS if row.get(field) is not None}
            creator = existing.get((row["platform"], row["name"]))
            if creator is None:
                creator = Creator(plan=plan, name=row["name"], platform=row["platform"], **given)
                creator._history_user = actor  # type: ignore[attr-defined]
                creator._change_reason = HISTORY_REASON  # type: ignore[attr-defined]
                creator.save()
                created += 1
                continue
            changes = {f: v for f, v in given.items() if _differs(creator, f, v)}
            if not changes:
                unchanged += 1
                continue
            # The version check refuses (and rolls back) the whole import if the
            # creator was edited since it was read above.
            update_versioned(
                creator,
                expected_version=creator.version,
                changes=changes,
                actor=actor,
                reason=HISTORY_REASON,
            )
            updated += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
