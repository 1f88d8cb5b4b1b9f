"""Import a plan's daily metrics from a CSV file, an XLSX workbook or JSON rows.

:func:`load_metrics` reads and checks the *whole* source first and writes only when it
found no problem, in one transaction: a row whose plan, date, channel and campaign are
already stored replaces that row; the others are added. It neither checks permissions
nor asks for a recompute: the callers (``monitoring.services``, the API, the
``import_metrics`` command) do.

File format (SPEC.md, "Interfaces that other tools rely on")
-------------------------------------------------------------
Columns ``date``, ``channel``, ``campaign``, ``impressions``, ``clicks``, ``visits``,
``signups``, ``conversions``, ``new_users``, ``spend``, ``revenue``. Every column is
required except ``campaign``; their order is free; any other column is refused.

Rules, each with its reason
---------------------------
Source and size

* The type is read from the content, never from the name: ``PK`` + ``xl/workbook.xml``
  is an XLSX workbook (first sheet), any other ZIP is refused, a known binary
  signature (PNG, JPEG, GIF, PDF, gzip, RAR, 7-Zip, an old ``.xls``/encrypted
  workbook) or NUL bytes are refused by name, the rest is read as CSV text.
* At most :data:`MAX_BYTES` (128 MiB: about two million rows of ordinary width) and
  :data:`MAX_ROWS` (2,000,000) data rows; an empty file and a header without rows are
  refused.
* XLSX: before openpyxl parses anything the ZIP directory is checked: at most
  :data:`MAX_XLSX_UNPACKED` bytes once unpacked and no part larger than 1 MiB unpacking
  more than :data:`MAX_XLSX_RATIO` times its packed size (a decompression bomb).
  ``zipfile`` stops at the declared sizes, so a lying directory cannot get past this.
  Cell values are read as Excel shows them (``data_only``: the cached result of a
  formula). Date cells are accepted in the ``date`` column.
* CSV: UTF-8 with or without a byte-order mark; when the file is not valid UTF-8 it
  is read as GB18030 (the superset of GBK that Excel writes on a Chinese system);
  UTF-16 and UTF-32 files *with* a byte-order mark are decoded (Excel's "Unicode
  text"). A file that is none of these is refused with the row of the first bad
  byte. The delimiter must be a comma: a header that reads as one column holding
  ``;``, a tab or ``|`` is refused as a wrong delimiter. A row with more values than
  the header stops the reading at that row (the structure is broken); missing
  trailing values are read as empty cells.
* JSON rows (from the API): a list of objects; the first object's keys are the
  header and every other object must have the same keys.

Header

* Names are compared after trimming spaces, NFKC (full-width letters) and lower
  case, so ``Date`` is ``date``. A missing required column, a column named twice, an
  unnamed column and an unknown column are each reported with its name (or letter).

Cells (surrounding spaces are ignored everywhere; empty rows are skipped)

* ``date``: ``YYYY-MM-DD``, a real calendar date, inside the plan year.
* ``channel``: required; a channel code of *this* plan (any case).
* ``campaign``: optional (absent column or empty cell = the channel's total); else a
  campaign code of this plan.
* Text in ``date``, ``channel`` and ``campaign`` starting with ``= + - @`` (or a tab or
  carriage return) is refused as a formula (spreadsheet formula injection); no code
  can start like that anyway.
* Counts: whole numbers ≥ 0 up to 2⁶³−1. ``1,234`` is accepted (groups of exactly
  three digits, so it cannot be a decimal comma), as are ``12.0`` and full-width
  digits; ``12.5`` is not a whole number. Empty cells, NaN, infinities, spreadsheet
  error values (``#N/A``…), scientific notation (``1.2E+11``: the spreadsheet may
  have dropped digits) and ``=…``/``@…`` are refused, each with its own message.
* ``spend``, ``revenue``: amounts ≥ 0 with at most 2 decimals (trailing zeros
  beyond do not count: ``12.500`` is fine), up to 999,999,999,999.99 (the column is
  ``Decimal(14, 2)``); ``1,234.50`` accepted; no currency sign. A float cell from
  XLSX/JSON that is a 2-decimal amount up to binary noise (``0.1 + 0.2``) is read
  as that amount.
* ``-0`` is zero, not a negative number.
* Consistency: ``clicks ≤ impressions`` when impressions > 0, exactly the database
  check (0 impressions means "not tracked", e.g. search or offline). Nothing else
  is enforced: conversions may exceed clicks (view-through, offline orders,
  attribution windows), visits may exceed clicks (organic traffic), sign-ups,
  conversions and new users are not nested, revenue may come without conversions
  (late attribution) and spend without impressions (fees) — refusing those would
  refuse real data.
* Each (date, channel, campaign) may appear once in a file; a repeat is reported on
  the later row, naming the earlier one.

Errors name the row as a spreadsheet shows it (the header is row 1, the first data
row is row 2; for JSON rows, the 1-based position in the list), the column, and the
reason; the first :data:`MAX_ERRORS` in row order are listed, all are counted.

Memory and speed
----------------
The source is read in chunks of :data:`CHUNK_ROWS` rows. A UTF-8 CSV file is read by
Arrow's CSV reader: the cells stay in Arrow's buffers, plain numbers are read by
Arrow's kernels and the codes and dates are dictionary-encoded, so no cell becomes a
Python object. At a row Arrow cannot read (more or fewer values than the header),
what was written is rolled back to a savepoint and pandas' C parser reads the file
from the start (every cell as text), as it reads every other CSV file; both give the
same rows. Each chunk is checked with vectorised numpy code — plain digits take a
fast path, anything else goes through the exact per-cell rules above, each distinct
date or code is parsed once — and becomes an int64 matrix (88 bytes a row) that is
written at once, never kept for the whole file. Everything happens in one transaction
that is rolled back when any problem is found, even in the last row (repeated keys are
only known at the end), so nothing is half-written; a dry run reads and checks without
writing.

The daily metrics table has no unique key (``DailyMetric`` says why): the import
appends its rows and, once they are all in, deletes the plan's earlier rows with the
same date, channel and campaign (their count is "replaced"), under a per-plan lock
taken first (PostgreSQL: an advisory lock, and ``FOR KEY SHARE`` on the plan's
channels and campaigns; SQLite has one writer at a time), so there is one row per key
at every commit. PostgreSQL gets the rows through one binary ``COPY`` fed from a
second thread: the database stores a chunk while this thread checks the next; the
rows' ids come from one block of the id sequence (``DailyMetric.ID_BLOCK``), numbered
here. A dry run counts the keys the plan already has. ``bench/import_metrics.py`` measures it.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import os
import queue
import re
import struct
import tempfile
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from channels.models import Channel
from content.models import Campaign
from monitoring.models import COUNT_FIELDS, MONEY_FIELDS, DailyMetric

if TYPE_CHECKING:
    from monitoring.models import MetricImport
    from planner.models import Plan

__all__ = [
    "CHUNK_ROWS",
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ERRORS",
    "MAX_ROWS",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_UNPACKED",
    "REQUIRED_COLUMNS",
    "ImportOutcome",
    "RowError",
    "load_metrics",
]

MAX_ERRORS = 50  # errors listed; the rest are counted ("+N more")
MAX_BYTES = 128 * 1024 * 1024
MAX_ROWS = 2_000_000
assert MAX_ROWS < DailyMetric.ID_BLOCK, "an import numbers its rows inside one id block"
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024  # all parts of a workbook, as declared, unpacked
MAX_XLSX_RATIO = 100  # unpacked ÷ packed, for parts over 1 MiB
CHUNK_ROWS = 50_000  # smaller chunks: a shorter tail of COPY after the last one is read

COLUMNS: tuple[str, ...] = ("date", "channel", "campaign", *COUNT_FIELDS, *MONEY_FIELDS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(name for name in COLUMNS if name != "campaign")

MAX_COUNT = 2**63 - 1  # PositiveBigIntegerField
MAX_CENTS = 10**14 - 1  # Decimal(14, 2): 999,999,999,999.99
_RATIO_FLOOR = 1024 * 1024
_SCAN_BLOCK = 1024 * 1024
_SHOWN_LENGTH = 40
_MAX_NUMBER_TEXT = 40  # characters; 2**63 - 1 written with commas has 25
_ORDER = {name: position for position, name in enumerate(COLUMNS)}
# The checked matrix: one int64 row per data row.
_DAY, _CHANNEL, _CAMPAIGN = 0, 1, 2
_VALUE_COLUMNS = (*COUNT_FIELDS, *MONEY_FIELDS)  # matrix columns 3…10 (money in cents)
_WIDTH = 3 + len(_VALUE_COLUMNS)
_LOCK_NAMESPACE = 0x4D455452 << 32  # "METR": pg_advisory_xact_lock key = namespace | plan id

_DIGITS = "[0-9]"
_INTEGER = re.compile(rf"({_DIGITS}{{1,3}}(?:,{_DIGITS}{{3}})+|{_DIGITS}+)(?:\.(0*))?")
_AMOUNT = re.compile(
    rf"({_DIGITS}{{1,3}}(?:,{_DIGITS}{{3}})+|{_DIGITS}+|(?=\.{_DIGITS}))(?:\.({_DIGITS}+))?"
)
_DECIMAL = re.compile(rf"(?:{_DIGITS}{{1,3}}(?:,{_DIGITS}{{3}})+|{_DIGITS}*)\.{_DIGITS}+")
_SCIENTIFIC = re.compile(rf"[+-]?(?:{_DIGITS}+\.?{_DIGITS}*|\.{_DIGITS}+)e[+-]?{_DIGITS}+")
_ISO_DATE = re.compile(rf"({_DIGITS}{{4}})-({_DIGITS}{{2}})-({_DIGITS}{{2}})")
_SPREADSHEET_ERRORS = frozenset(
    {"#n/a", "#div/0!", "#value!", "#ref!", "#num!", "#name?", "#null!", "#spill!", "#calc!"}
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CURRENCY_MARKS = "¥$€£"
_MINUS_SIGNS = "−﹣－"  # U+2212 and friends, which NFKC keeps (or maps) unlike "-"

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", gettext_noop("PNG image")),
    (b"\xff\xd8\xff", gettext_noop("JPEG image")),
    (b"GIF87a", gettext_noop("GIF image")),
    (b"GIF89a", gettext_noop("GIF image")),
    (b"%PDF-", gettext_noop("PDF document")),
    (b"\x1f\x8b", gettext_noop("gzip archive")),
    (b"Rar!\x1a\x07", gettext_noop("RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_noop("7-Zip archive")),
    (b"\x7fELF", gettext_noop("program")),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem found in a source.

    ``row`` is the row as the user sees it: in a CSV file or XLSX sheet the header is
    row 1 and the first data row is row 2 (a CSV row is a record: a quoted cell may
    span lines); for JSON rows it is the 1-based position in the list. ``None`` when
    the problem is the file as a whole. ``column`` is a column name of the format (or
    the header cell as written, or a spreadsheet column letter for an unnamed
    column); ``None`` when the problem is not one cell's.
    """

    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form kept in ``MetricImport.errors``."""
        return {"row": self.row, "column": self.column, "message": self.message}

    def line(self) -> str:
        """The problem as one readable line: "Row 3, clicks: must not be negative"."""
        if self.row is None and self.column is None:
            return self.message
        if self.row is None:
            return _("Column %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        if self.column is None:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportOutcome:
    """What an import did (or, for a dry run or a refused source, would have done).

    ``rows_total`` counts the data rows read (empty rows are skipped); ``inserted``
    and ``replaced`` are 0 when the source was refused. ``errors`` holds at most
    :data:`MAX_ERRORS` problems in row order; ``error_count`` counts them all.
    """

    rows_total: int
    inserted: int
    replaced: int
    errors: list[RowError]
    error_count: int
    first_date: date | None
    last_date: date | None
    dry_run: bool

    @property
    def ok(self) -> bool:
        """True when the source was accepted (and, unless a dry run, written)."""
        return self.error_count == 0

    @property
    def more_errors(self) -> int:
        """Problems counted but not listed (the "+N more")."""
        return self.error_count - len(self.errors)

    def more_errors_text(self) -> str:
        """ "+N more problems" (translated), or "" when every problem is listed."""
        if self.more_errors <= 0:
            return ""
        return ngettext("+%(count)s more problem", "+%(count)s more problems", self.more_errors) % {
            "count": f"{self.more_errors:,}"
        }

    def record_fields(self) -> dict[str, Any]:
        """The outcome as ``MetricImport`` field values (``errors`` as JSON)."""
        return {
            "rows_total": self.rows_total,
            "rows_inserted": self.inserted,
            "rows_replaced": self.replaced,
            "error_count": self.error_count,
            "errors": [error.as_dict() for error in self.errors],
            "first_date": self.first_date,
            "last_date": self.last_date,
        }


class _Refused(Exception):
    """The source cannot be read further; ``errors`` says why."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors[0].message if errors else "")
        self.errors = list(errors)


def _refused(message: str, *, row: int | None = None, column: str | None = None) -> _Refused:
    return _Refused(RowError(row, column, message))


def _shown(value: str) -> str:
    """A cell's text for a message: control characters made visible, shortened."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- progress ---------------------------------------------------------------------------


class _Progress:
    """Calls ``callback`` with a whole percentage, only when it grows."""

    def __init__(self, callback: Callable[[int], None] | None) -> None:
        self._callback = callback
        self._last = -1

    def __call__(self, percent: float) -> None:
        value = max(0, min(100, int(percent)))
        if self._callback is not None and value > self._last:
            self._last = value
            self._callback(value)


_READ_SHARE = 80  # percent of the bar for reading and checking; the rest for writing


# --- what the plan knows ----------------------------------------------------------------


@dataclass
class _Codes:
    """The plan's channel and campaign codes, as dense indexes ordered by id.

    Channel index i ↔ ``channel_ids[i]``; campaign index 0 = no campaign, i ≥ 1 ↔
    ``campaign_ids[i]``; both arrays are sorted.
    """

    channels: dict[str, int]
    channel_ids: np.ndarray
    campaigns: dict[str, int]
    campaign_ids: np.ndarray

    @classmethod
    def of(cls, plan: Plan) -> _Codes:
        channel_rows = sorted(Channel.objects.filter(plan=plan).values_list("pk", "code"))
        campaign_rows = sorted(Campaign.objects.filter(plan=plan).values_list("pk", "code"))
        return cls(
            channels={code.lower(): i for i, (_pk, code) in enumerate(channel_rows)},
            channel_ids=np.array([pk for pk, _code in channel_rows], dtype=np.int64),
            campaigns={code.lower(): i + 1 for i, (_pk, code) in enumerate(campaign_rows)},
            campaign_ids=np.array([0] + [pk for pk, _code in campaign_rows], dtype=np.int64),
        )


# --- header formats -----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFormat:
    """What a source's header must hold, and how a problem with it is worded.

    The messages are msgids (``gettext_noop``), translated when used; ``unknown`` and
    ``empty`` may name the format's ``%(columns)s``. A family of formats told apart by
    their header (the journeys importer's) overrides :meth:`pick`.
    """

    columns: tuple[str, ...]
    required: tuple[str, ...]
    unknown: str  # "… is not a column of … (%(columns)s)"
    unnamed: str  # a column without a name
    empty: str  # the first row is empty

    def pick(self, names: list[str], *, row: int | None) -> SourceFormat:
        """The format of a header with these (normalised) names: this one."""
        return self

    def message(self, msgid: str) -> str:
        return _(msgid) % {"columns": ", ".join(self.columns)}


METRICS_FORMAT = SourceFormat(
    columns=COLUMNS,
    required=REQUIRED_COLUMNS,
    unknown=gettext_noop("is not a column of the daily metrics format (%(columns)s)"),
    unnamed=gettext_noop("this column has no name; remove it or name it"),
    empty=gettext_noop("The first row is empty; it must hold the column names (%(columns)s)."),
)


# --- opening and recognising a source ----------------------------------------------------


@dataclass
class _Chunk:
    """Up to :data:`CHUNK_ROWS` data rows as text columns (object arrays of ``str``;
    from the Arrow CSV reader, :class:`_TextCells` and :class:`_NumberCells`).

    ``rows`` holds each row's number; ``excluded`` marks rows already refused while
    reading (their problems are in ``errors``) and not to be checked further.
    """

    rows: np.ndarray
    cells: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    excluded: np.ndarray | None = None


@dataclass(frozen=True)
class _TextCells:
    """A text column as each cell's index into its distinct values (Arrow's dictionary
    encoding): the checks parse each distinct value once anyway."""

    codes: np.ndarray
    uniques: np.ndarray  # object array of str

    def __getitem__(self, which: np.ndarray) -> _TextCells:
        return _TextCells(self.codes[which], self.uniques)

    def empty(self) -> np.ndarray:
        return (self.uniques == "")[self.codes]


@dataclass(frozen=True)
class _NumberCells:
    """A number column, already read where a cell is plain (see :func:`_fast_numbers`:
    ``values`` where ``ok``); the other cells' text stays in the Arrow array
    (``texts[positions[i]]``) for the per-cell rules."""

    values: np.ndarray
    ok: np.ndarray
    blank: np.ndarray
    texts: Any  # pyarrow.StringArray
    positions: np.ndarray

    def __getitem__(self, which: np.ndarray) -> _NumberCells:
        return _NumberCells(
            self.values[which],
            self.ok[which],
            self.blank[which],
            self.texts,
            self.positions[which],
        )

    def empty(self) -> np.ndarray:
        return self.blank

    def text(self, position: int) -> str:
        return str(self.texts[int(self.positions[position])].as_py())


def _empty(cells: np.ndarray | _TextCells | _NumberCells) -> np.ndarray:
    """Which cells are empty strings."""
    if isinstance(cells, np.ndarray):
        return np.asarray(cells == "", dtype=bool)
    return cells.empty()


Source = BinaryIO | IO[bytes] | PurePath | bytes | Sequence[Mapping[str, Any]]


def _size(count: int) -> str:
    """A size for people: "950 bytes", "12.5 KB", "130.2 MB"."""
    if count < 10_000:
        return ngettext("%(count)s byte", "%(count)s bytes", count) % {"count": f"{count:,}"}
    if count < 1024 * 1024:
        return _("%(size)s KB") % {"size": f"{count / 1024:,.1f}"}
    return _("%(size)s MB") % {"size": f"{count / (1024 * 1024):,.1f}"}


def _too_big(size: int | None = None) -> _Refused:
    if size is None:
        return _refused(
            _("The file is larger than %(limit)s; split it into smaller files.")
            % {"limit": _size(MAX_BYTES)}
        )
    return _refused(
        _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
        % {"size": _size(size), "limit": _size(MAX_BYTES)}
    )


def _open(source: Any, stack: ExitStack) -> tuple[IO[bytes], int]:
    """A seekable binary handle on the source, at its start, and its size in bytes."""
    if isinstance(source, PurePath):
        try:
            size = os.stat(source).st_size
            if size > MAX_BYTES:
                raise _too_big(size)
            handle: IO[bytes] = stack.enter_context(open(source, "rb"))  # noqa: SIM115
        except OSError as error:
            raise _refused(
                _("The file cannot be opened: %(reason)s") % {"reason": error.strerror or error}
            ) from None
        return handle, size
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > MAX_BYTES:
            raise _too_big(len(data))
        return io.BytesIO(data), len(data)
    handle = source
    declared = getattr(handle, "size", None)  # a Django UploadedFile knows its size
    if isinstance(declared, int) and declared > MAX_BYTES:
        raise _too_big(declared)
    seekable = False
    try:
        seekable = bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        seekable = False
    if not seekable:
        spool: IO[bytes] = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        copied = 0
        while block := handle.read(_SCAN_BLOCK):
            copied += len(block)
            if copied > MAX_BYTES:
                raise _too_big()
            spool.write(block)
        spool.seek(0)
        return spool, copied
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size > MAX_BYTES:
        raise _too_big(size)
    return handle, size


def _kind(head: bytes, filename: str) -> str:
    """The kind of file from its first bytes: "xlsx" or "csv"; anything else is refused."""
    name = PurePath(filename).name or _("The file")
    if not head:
        raise _refused(_("The file is empty."))
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        raise _refused(
            _(
                "“%(name)s” is an old Excel 97–2003 workbook (.xls) or a password-protected "
                "workbook; save it as .xlsx or CSV without a password."
            )
            % {"name": _shown(name)}
        )
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise _refused(
                _("“%(name)s” is not a CSV or XLSX file: it is a %(kind)s.")
                % {"name": _shown(name), "kind": _(what)}
            )
    bom_utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not bom_utf16:
        raise _refused(
            _(
                "“%(name)s” is not a CSV or XLSX file: it holds binary data (or UTF-16 "
                "text without a byte-order mark; save it as CSV UTF-8)."
            )
            % {"name": _shown(name)}
        )
    return "csv"


# --- CSV ---------------------------------------------------------------------------------


def _first_decoding_error(handle: IO[bytes], encoding: str) -> int | None:
    """The byte offset of the first byte ``encoding`` cannot decode, or None."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    while True:
        block = handle.read(_SCAN_BLOCK)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as error:
            return offset - pending + error.start
        if not block:
            return None
        offset += len(block)


def _line_of(handle: IO[bytes], offset: int) -> int:
    handle.seek(0)
    lines, done = 1, 0
    while done < offset:
        block = handle.read(min(_SCAN_BLOCK, offset - done))
        if not block:
            break
        lines += block.count(b"\n")
        done += len(block)
    return lines


def _csv_encoding(handle: IO[bytes], head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        candidates: tuple[str, ...] = ("utf-32",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    first_error: int | None = None
    for encoding in candidates:
        error = _first_decoding_error(handle, encoding)
        if error is None:
            return encoding
        first_error = error if first_error is None else first_error
    assert first_error is not None
    handle.seek(first_error)
    byte = handle.read(1)
    if candidates[0] in ("utf-16", "utf-32"):
        raise _refused(
            _("The file starts as %(encoding)s text but breaks off; save it again as CSV UTF-8.")
            % {"encoding": candidates[0].upper()}
        )
    raise _refused(
        _(
            "is not UTF-8 or GBK text (byte 0x%(byte)s cannot be read); save the file as "
            "“CSV UTF-8”."
        )
        % {"byte": byte.hex().upper()},
        row=_line_of(handle, first_error),
    )


def _csv_chunks(
    handle: IO[bytes],
    size: int,
    head: bytes,
    progress: _Progress,
    form: SourceFormat,
    *,
    arrow: bool = False,
) -> tuple[SourceFormat, Iterator[_Chunk]]:
    """The header checked now (its format); the rows as an iterator of chunks.

    With ``arrow``, a UTF-8 file (whose header is on one line) is read by Arrow's CSV
    reader into :class:`_TextCells` and :class:`_NumberCells`; it raises
    :class:`_ArrowGaveUp` at a row it cannot read (a row with more or fewer values than
    the header), where the caller starts again without ``arrow``."""
    encoding = _csv_encoding(handle, head)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        header = next(csv.reader(text), None)
    except csv.Error as error:
        raise _refused(
            _("The header cannot be read as CSV: %(reason)s") % {"reason": error}, row=1
        ) from None
    finally:
        text.detach()  # keep ``handle`` open
    if header is None:
        raise _refused(_("The file is empty."))
    if not any(cell.strip() for cell in header):
        raise _refused(form.message(form.empty), row=1)
    form, names = _check_header(header, row=1, form=form)
    if arrow and encoding == "utf-8-sig" and not any("\n" in c or "\r" in c for c in header):
        return form, _arrow_rows(handle, size, names, progress)
    return form, _csv_rows(handle, size, encoding, names, progress)


_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _csv_rows(
    handle: IO[bytes], size: int, encoding: str, names: list[str], progress: _Progress
) -> Iterator[_Chunk]:
    handle.seek(0)
    reader = pd.read_csv(
        handle,
        sep=",",
        header=0,
        index_col=False,
        dtype=object,  # every cell as the text it is (no StringArray: faster)
        na_filter=False,
        keep_default_na=False,
        skip_blank_lines=False,
        encoding=encoding,
        encoding_errors="strict",
        chunksize=CHUNK_ROWS,
        engine="c",
    )
    first_row = 2
    try:
        while True:
            try:
                frame = next(reader)
            except StopIteration:
                return
            except pd.errors.ParserError as error:
                found = _PANDAS_FIELDS.search(str(error))
                if found:
                    raise _refused(
                        _(
                            "has %(found)s values but the header has %(expected)s columns "
                            "(a comma inside a value needs quotes); the file was read up "
                            "to here."
                        )
                        % {"found": found[3], "expected": found[1]},
                        row=int(found[2]),
                    ) from None
                quote = _PANDAS_QUOTE.search(str(error))
                if quote:  # pandas counts from 0 there, the header included
                    raise _refused(
                        _('a quote (") opened in this row is never closed'),
                        row=int(quote[1]) + 1,
                    ) from None
                raise _refused(
                    _("The file cannot be read as CSV: %(reason)s") % {"reason": str(error).strip()}
                ) from None
            except (UnicodeDecodeError, csv.Error, ValueError) as error:
                raise _refused(
                    _("The file cannot be read as CSV: %(reason)s") % {"reason": str(error).strip()}
                ) from None
            count = len(frame)
            if frame.shape[1] != len(names):  # pragma: no cover - header checked above
                raise _refused(_("The header cannot be read as CSV."), row=1)
            cells = {
                name: frame.iloc[:, position].to_numpy(dtype=object)
                for position, name in enumerate(names)
            }
            yield _Chunk(np.arange(first_row, first_row + count, dtype=np.int64), cells)
            first_row += count
            progress(_READ_SHARE * handle.tell() / max(size, 1))
    finally:
        reader.close()


class _ArrowGaveUp(Exception):
    """Arrow's CSV reader met a row it cannot read; the pandas reader says what is wrong."""


_ARROW_BLOCK = 4 * 1024 * 1024  # bytes of CSV Arrow reads at a time (~55,000 metrics rows),
# handed on in chunks of at most CHUNK_ROWS rows


def _arrow_rows(
    handle: IO[bytes], size: int, names: list[str], progress: _Progress
) -> Iterator[_Chunk]:
    """The data rows of a UTF-8 CSV file, read by Arrow: no Python object per cell.

    For every file both readers can read, the cells are the ones pandas reads (quotes,
    doubled quotes, line breaks inside quotes, CR/LF/CRLF, a byte-order mark, a blank
    line as a row of empty cells): the header is the first record, skipped here, and
    each record is one row."""
    handle.seek(0)
    fields = [f"c{position}" for position in range(len(names))]
    try:
        reader = pa_csv.open_csv(
            handle,
            read_options=pa_csv.ReadOptions(
                column_names=fields, skip_rows=1, block_size=_ARROW_BLOCK
            ),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(fields, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        raise _ArrowGaveUp from error
    first_row = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise _ArrowGaveUp from error
        for offset in range(0, batch.num_rows, CHUNK_ROWS):
            part = batch.slice(offset, CHUNK_ROWS)
            count = part.num_rows
            cells: dict[str, Any] = {}
            for position, name in enumerate(names):
                column = part.column(position)
                if name in _VALUE_COLUMNS:
                    cells[name] = _arrow_numbers(column, money=name in MONEY_FIELDS)
                else:
                    encoded = column.dictionary_encode()
                    cells[name] = _TextCells(
                        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
                        np.array(encoded.dictionary.to_pylist(), dtype=object),
                    )
            yield _Chunk(np.arange(first_row, first_row + count, dtype=np.int64), cells)
            first_row += count
        progress(_READ_SHARE * handle.tell() / max(size, 1))


_PLAIN_AMOUNT = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def _arrow_numbers(column: Any, *, money: bool) -> _NumberCells:
    """:func:`_fast_numbers` on an Arrow string column, in Arrow's kernels: the same
    plain cells, the same values."""
    lengths = pa_compute.binary_length(column)
    if money:
        plain = pa_compute.match_substring_regex(column, _PLAIN_AMOUNT)
        text = pa_compute.if_else(plain, column, "0")
        amounts = pa_compute.cast(text, pa.decimal128(14, 2))
        hundred = pa.scalar(100, pa.decimal128(3, 0))
        values = pa_compute.cast(pa_compute.multiply(amounts, hundred), pa.int64())
    else:
        plain = pa_compute.and_(
            pa_compute.ascii_is_decimal(column),
            pa_compute.less_equal(lengths, _FAST_WIDTH),
        )
        values = pa_compute.cast(pa_compute.if_else(plain, column, "0"), pa.int64())
    return _NumberCells(
        values=values.to_numpy(zero_copy_only=False).astype(np.int64, copy=False),
        ok=plain.to_numpy(zero_copy_only=False).astype(bool, copy=False),
        blank=pa_compute.equal(lengths, 0).to_numpy(zero_copy_only=False),
        texts=column,
        positions=np.arange(len(column), dtype=np.int64),
    )


# --- XLSX --------------------------------------------------------------------------------


def _check_zip(handle: IO[bytes], filename: str) -> None:
    """Refuse a ZIP that is not a workbook, and a decompression bomb, from the directory."""
    name = _shown(PurePath(filename).name or _("The file"))
    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise _refused(
            _("“%(name)s” is a damaged ZIP archive, not a readable Excel workbook.")
            % {"name": name}
        ) from None
    if not any(part.filename == "xl/workbook.xml" for part in parts):
        raise _refused(
            _("“%(name)s” is a ZIP archive but not an Excel workbook (.xlsx).") % {"name": name}
        )
    unpacked = sum(part.file_size for part in parts)
    bomb = unpacked > MAX_XLSX_UNPACKED or any(
        part.file_size > _RATIO_FLOOR
        and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if bomb:
        raise _refused(
            _(
                "“%(name)s” would unpack to %(size)s, far more than its data can need; "
                "it is refused as a possible decompression bomb."
            )
            % {"name": name, "size": _size(unpacked)}
        )


def _float_text(value: float) -> str:
    """A float cell as text: integral → "12"; a 2-decimal amount up to binary noise →
    "12.35"; anything else its full ``repr`` (which the checks then refuse)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    if abs(value) < 1e15:
        cents = value * 100
        nearest = round(cents)
        if abs(cents - nearest) <= 1e-9 * max(1.0, abs(cents)):
            sign = "-" if nearest < 0 else ""
            whole, part = divmod(abs(nearest), 100)
            return f"{sign}{whole}" if part == 0 else f"{sign}{whole}.{part:02d}"
    elif value.is_integer():
        return str(int(value))
    return repr(value)


def _cell_text(value: object) -> str:
    """A spreadsheet or JSON value as the text the checks read."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_chunks(
    handle: IO[bytes], filename: str, progress: _Progress, form: SourceFormat
) -> tuple[SourceFormat, Iterator[_Chunk], Callable[[], None]]:
    """The header checked now (its format); the rows as an iterator of chunks, and how
    to close."""
    _check_zip(handle, filename)
    from openpyxl import load_workbook

    handle.seek(0)
    unreadable = _("The file is not a readable Excel (.xlsx) workbook.")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # not a workbook, a damaged part, no sheet…
        raise _refused(unreadable) from None
    try:
        declared_rows = sheet.max_row if isinstance(sheet.max_row, int) else None
        sheet.reset_dimensions()  # a wrong <dimension> must neither cut nor pad the rows
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except Exception:
        workbook.close()
        raise _refused(unreadable) from None
    header = [_cell_text(value) for value in (first or ())]
    while header and not header[-1].strip():
        header.pop()  # formatted but empty cells to the right
    if not header:
        workbook.close()
        if first is None:
            raise _refused(_("The file is empty."))
        raise _refused(form.message(form.empty), row=1)
    try:
        form, names = _check_header(header, row=1, form=form)
    except _Refused:
        workbook.close()
        raise
    width = len(names)

    def chunks() -> Iterator[_Chunk]:
        row_number = 1
        while True:
            batch: list[list[str]] = []
            errors: list[RowError] = []
            numbers: list[int] = []
            try:
                for values in rows:
                    row_number += 1
                    texts = [_cell_text(value) for value in values]
                    if len(texts) > width:
                        extra = next(
                            (i for i in range(width, len(texts)) if texts[i].strip()), None
                        )
                        if extra is not None:
                            errors.append(
                                RowError(
                                    row_number,
                                    _column_letter(extra),
                                    _("holds a value but the column has no header"),
                                )
                            )
                        texts = texts[:width]
                    elif len(texts) < width:
                        texts += [""] * (width - len(texts))
                    batch.append(texts)
                    numbers.append(row_number)
                    if len(batch) == CHUNK_ROWS:
                        break
            except Exception:  # a damaged sheet
                raise _refused(
                    _("The sheet cannot be read from this row on."), row=row_number
                ) from None
            if not batch:
                return
            columns = list(zip(*batch, strict=True))
            cells = {name: np.array(columns[i], dtype=object) for i, name in enumerate(names)}
            yield _Chunk(np.array(numbers, dtype=np.int64), cells, errors)
            if declared_rows:
                progress(_READ_SHARE * min(1.0, row_number / declared_rows))

    return form, chunks(), workbook.close


# --- JSON rows ---------------------------------------------------------------------------


def _json_chunks(
    rows: Sequence[Mapping[str, Any]], progress: _Progress, form: SourceFormat
) -> tuple[SourceFormat, Iterator[_Chunk]]:
    """The keys of the first row checked now (their format); the rows as an iterator of
    chunks."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise _refused(_("The rows must be a list of objects."))
    if not rows:
        raise _refused(_("There are no rows."))
    first = rows[0]
    if not isinstance(first, Mapping):
        raise _refused(_("must be an object with the columns as keys"), row=1)
    keys = list(first.keys())
    form, names = _check_header([str(key) for key in keys], row=None, form=form)
    expected = set(keys)
    total = len(rows)

    def chunks() -> Iterator[_Chunk]:
        for start in range(0, total, CHUNK_ROWS):
            batch = rows[start : start + CHUNK_ROWS]
            count = len(batch)
            texts: list[list[str]] = [[""] * count for _name in names]
            excluded = np.zeros(count, dtype=bool)
            errors: list[RowError] = []
            for i, item in enumerate(batch):
                if not isinstance(item, Mapping):
                    errors.append(
                        RowError(start + i + 1, None, _("must be an object with the columns"))
                    )
                    excluded[i] = True
                    continue
                if item.keys() != expected:
                    missing = sorted(str(key) for key in expected - item.keys())
                    extra = sorted(str(key) for key in item.keys() - expected)
                    errors.append(
                        RowError(
                            start + i + 1,
                            None,
                            _(
                                "has other keys than the first row (missing: %(missing)s; "
                                "unexpected: %(extra)s)"
                            )
                            % {
                                "missing": ", ".join(missing) or "—",
                                "extra": ", ".join(_shown(key) for key in extra) or "—",
                            },
                        )
                    )
                    excluded[i] = True
                    continue
                for position, key in enumerate(keys):
                    texts[position][i] = _cell_text(item[key])
            cells = {name: np.array(texts[i], dtype=object) for i, name in enumerate(names)}
            numbers = np.arange(start + 1, start + count + 1, dtype=np.int64)
            yield _Chunk(numbers, cells, errors, excluded)
            progress(_READ_SHARE * (start + count) / total)

    return form, chunks()


# --- any source ----------------------------------------------------------------------------


def _source_chunks(
    source: Source,
    filename: str,
    form: SourceFormat,
    stack: ExitStack,
    progress: _Progress,
    *,
    arrow: bool = False,
) -> tuple[SourceFormat, Iterator[_Chunk]]:
    """Open the source (closed with ``stack``) and check its header now: the header's
    format, and the rows as an iterator of chunks. ``arrow``: see :func:`_csv_chunks`;
    only for a source that can be read again (not a stream copied to a spool)."""
    if not isinstance(source, PurePath | bytes | bytearray | memoryview) and not hasattr(
        source, "read"
    ):
        return _json_chunks(source, progress, form)
    handle, size = _open(source, stack)
    head = handle.read(8192)
    handle.seek(0)
    if _kind(head, filename) == "xlsx":
        form, chunks, close = _xlsx_chunks(handle, filename, progress, form)
        stack.callback(close)
        return form, chunks
    again = handle is source or not hasattr(source, "read")
    return _csv_chunks(handle, size, head, progress, form, arrow=arrow and again)


# --- header -------------------------------------------------------------------------------


def _check_header(
    cells: list[str], *, row: int | None, form: SourceFormat
) -> tuple[SourceFormat, list[str]]:
    """The header's format and column names (normalised), or every problem with it."""
    if len(cells) == 1:
        for mark, label in ((";", _("semicolons")), ("\t", _("tabs")), ("|", _("bars (|)"))):
            if mark in cells[0]:
                raise _refused(
                    _(
                        "Wrong delimiter: the columns are separated by %(mark)s; they must be "
                        "separated by commas (save as “CSV UTF-8 (comma delimited)”)."
                    )
                    % {"mark": label},
                    row=row,
                )
    names = [unicodedata.normalize("NFKC", cell).strip().lower() for cell in cells]
    form = form.pick(names, row=row)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            errors.append(RowError(row, _column_letter(position), _(form.unnamed)))
        elif name in seen:
            errors.append(
                RowError(
                    row,
                    name,
                    _("appears twice (columns %(first)s and %(second)s)")
                    % {
                        "first": _column_letter(seen[name]),
                        "second": _column_letter(position),
                    },
                )
            )
        elif name not in form.columns:
            errors.append(
                RowError(row, _shown(cells[position].strip()), form.message(form.unknown))
            )
        seen.setdefault(name, position)
    for name in form.required:
        if name not in seen:
            errors.append(RowError(row, name, _("this required column is missing")))
    if errors:
        raise _Refused(*errors)
    return form, names


# --- cells ---------------------------------------------------------------------------------


def _special(text: str) -> str | None:
    """The reason a number cell holds something other than a number, if it does."""
    low = text.lower()
    if text[0] in "=@":
        return _("“%(value)s” looks like a spreadsheet formula; write the value itself") % {
            "value": _shown(text)
        }
    if len(text) > _MAX_NUMBER_TEXT:  # also keeps the patterns below linear
        return _("is too long for a number (%(length)s characters)") % {"length": f"{len(text):,}"}
    if low.lstrip("+-") == "nan":
        return _("is not a number (NaN)")
    if low.lstrip("+-") in ("inf", "infinity", "∞"):
        return _("is infinite (%(value)s)") % {"value": _shown(text)}
    if low in _SPREADSHEET_ERRORS:
        return _("holds the spreadsheet error %(value)s") % {"value": _shown(text)}
    if "e" in low and _SCIENTIFIC.fullmatch(low):
        return _(
            "“%(value)s” is in scientific notation, which may have lost digits; format the "
            "column as a number and write it in full"
        ) % {"value": _shown(text)}
    return None


def _normalised(text: str) -> tuple[str, bool]:
    """NFKC, trimmed, with a leading minus sign split off: ("12", True) for "−12"."""
    value = unicodedata.normalize("NFKC", text).strip()
    if value and value[0] in _MINUS_SIGNS:
        value = "-" + value[1:]
    if value.startswith("-") and len(value) > 1 and value[1] != "-":
        return value[1:].strip(), True
    return value, False


def _count_from_text(text: str) -> tuple[int, str | None]:
    """A count cell → (value, None) or (0, why it is refused)."""
    value, negative = _normalised(text)
    if not value:
        return 0, _("a number is required (the cell is empty)")
    special = _special(value)
    if special:
        return 0, special
    found = _INTEGER.fullmatch(value)
    if found is None:
        if _DECIMAL.fullmatch(value):
            return 0, _("must be a whole number (not “%(value)s”)") % {"value": _shown(text)}
        return 0, _("“%(value)s” is not a whole number") % {"value": _shown(text)}
    number = int(found[1].replace(",", ""))
    if negative and number:
        return 0, _("must not be negative (“%(value)s”)") % {"value": _shown(text.strip())}
    if number > MAX_COUNT:
        return 0, _("is too large (at most %(limit)s)") % {"limit": f"{MAX_COUNT:,}"}
    return number, None


def _cents_from_text(text: str) -> tuple[int, str | None]:
    """A money cell → (cents, None) or (0, why it is refused)."""
    value, negative = _normalised(text)
    if not value:
        return 0, _("an amount is required (the cell is empty; write 0)")
    special = _special(value)
    if special:
        return 0, special
    if value[0] in _CURRENCY_MARKS or value[-1] in _CURRENCY_MARKS or value.endswith("元"):
        return 0, _("write the amount without a currency sign (not “%(value)s”)") % {
            "value": _shown(text)
        }
    found = _AMOUNT.fullmatch(value)
    if found is None:
        return 0, _("“%(value)s” is not an amount") % {"value": _shown(text)}
    decimals = (found[2] or "").rstrip("0")
    if len(decimals) > 2:
        return 0, _("has more than 2 decimals (“%(value)s”)") % {"value": _shown(text)}
    cents = int(found[1].replace(",", "") or "0") * 100 + int(decimals.ljust(2, "0"))
    if negative and cents:
        return 0, _("must not be negative (“%(value)s”)") % {"value": _shown(text.strip())}
    if cents > MAX_CENTS:
        return 0, _("is too large (at most 999,999,999,999.99)")
    return cents, None


_FAST_WIDTH = 18  # longer cells (and non-ASCII ones) take the per-cell way


def _fast_numbers(cells: np.ndarray, *, money: bool) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised reading of the plain cells: (values, ok).

    Plain means ASCII digits only (counts: at most 18 of them) or, for money, digits
    with at most one point, 1–2 decimals after it and at most 12 digits before it;
    the value is computed from the digits, column by column (money in cents,
    exactly). Cells that are not plain (``ok`` False) must go through the per-cell
    rules: this is a fast path for a subset of what those rules accept, giving the
    same values.
    """
    count = len(cells)
    values = np.zeros(count, dtype=np.int64)
    ok = np.zeros(count, dtype=bool)
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=count)
    short = np.flatnonzero((lengths > 0) & (lengths <= _FAST_WIDTH))
    if not len(short):
        return values, ok
    length = lengths[short]
    width = int(length.max())  # the columns below: as many as the longest plain cell
    try:
        # A fixed width: longer cells are cut here, but they are not in ``short``.
        raw = cells.astype(f"S{width}")[short]
    except (UnicodeEncodeError, TypeError, ValueError):  # non-ASCII text somewhere
        return values, ok
    matrix = raw.view(np.uint8).reshape(len(raw), width)
    number = np.zeros(len(short), dtype=np.int64)
    good = (matrix[:, 0] >= 48) & (matrix[:, 0] <= 57)
    points = np.zeros(len(short), dtype=np.int64)
    before = np.zeros(len(short), dtype=np.int64)  # digits before the point
    after = np.zeros(len(short), dtype=np.int64)  # digits after it
    for column in range(matrix.shape[1]):
        byte = matrix[:, column]
        inside = column < length
        digit = (byte >= 48) & (byte <= 57) & inside
        if money:
            point = (byte == 46) & inside
            good &= np.where(inside, digit | point, byte == 0)  # NUL only as padding
            past_point = points > 0
            before += digit & ~past_point
            after += digit & past_point
            points += point
        else:
            good &= np.where(inside, digit, byte == 0)
        number = np.where(digit, number * 10 + (byte.astype(np.int64) - 48), number)
    if money:
        good &= (points <= 1) & (before <= 12) & ((points == 0) | ((after >= 1) & (after <= 2)))
        number *= 10 ** np.clip(2 - after, 0, 2)
    values[short[good]] = number[good]
    ok[short[good]] = True
    return values, ok


def _parse_numbers(
    cells: np.ndarray | _NumberCells, *, money: bool
) -> tuple[np.ndarray, list[int], list[str]]:
    """Values (cents for money; 0 where refused), the refused positions and their reasons."""
    text: Callable[[int], str]
    if isinstance(cells, _NumberCells):
        values, ok, text = cells.values.copy(), cells.ok, cells.text
    else:
        values, ok = _fast_numbers(cells, money=money)
        text = cells.item
    parse = _cents_from_text if money else _count_from_text
    bad: list[int] = []
    reasons: list[str] = []
    for position in np.flatnonzero(~ok).tolist():
        value, problem = parse(text(position))
        if problem is None:
            values[position] = value
        else:
            bad.append(position)
            reasons.append(problem)
    return values, bad, reasons


def _formula(text: str) -> str | None:
    stripped = text.strip()
    if text.startswith(_FORMULA_STARTS) or (stripped and stripped[0] in "=+-@"):
        return _(
            "“%(value)s” starts like a spreadsheet formula (= + - @); such text is refused "
            "in this column"
        ) % {"value": _shown(stripped)}
    return None


# --- checking ------------------------------------------------------------------------------


class _Checker:
    """Checks chunks as they come; keeps the errors, the keys and the checked values."""

    def __init__(self, codes: _Codes, year: int) -> None:
        self.codes = codes
        self.year = year
        self.jan_first = date(year, 1, 1)
        self.rows_total = 0
        self.error_count = 0
        self.kept: list[tuple[int, int, str | None, str]] = []  # (row, order, column, message)
        self.keys: list[np.ndarray] = []
        self.key_rows: list[np.ndarray] = []
        self.unique_keys = np.empty(0, dtype=np.int64)  # sorted, once finished
        self.first_day: int | None = None
        self.last_day: int | None = None
        self._day_cache: dict[str, tuple[int, str | None]] = {}

    # errors

    def note(self, rows: np.ndarray, column: str | None, messages: Sequence[str]) -> None:
        """Count these errors and keep them if they are among the first ``MAX_ERRORS``."""
        count = len(rows)
        if not count:
            return
        self.error_count += count
        order = -1 if column is None else _ORDER.get(column, len(COLUMNS))
        if len(self.kept) >= MAX_ERRORS and int(rows.min()) > self.kept[-1][0]:
            return
        head = np.argsort(rows, kind="stable")[:MAX_ERRORS]
        self.kept.extend((int(rows[i]), order, column, messages[i]) for i in head)
        self.kept.sort(key=lambda item: (item[0], item[1]))
        del self.kept[MAX_ERRORS:]

    def note_errors(self, errors: Sequence[RowError]) -> None:
        for error in errors:
            self.error_count += 1
            order = -1 if error.column is None else _ORDER.get(error.column, len(COLUMNS))
            self.kept.append((error.row or 0, order, error.column, error.message))
        self.kept.sort(key=lambda item: (item[0], item[1]))
        del self.kept[MAX_ERRORS:]

    def errors(self) -> list[RowError]:
        return [
            RowError(row if row else None, column, message)
            for row, _order, column, message in self.kept
        ]

    # cells

    def _day(self, text: str) -> tuple[int, str | None]:
        cached = self._day_cache.get(text)
        if cached is not None:
            return cached
        value = unicodedata.normalize("NFKC", text).strip()
        result: tuple[int, str | None]
        if not value:
            result = (-1, _("a date is required (the cell is empty)"))
        elif formula := _formula(text):
            result = (-1, formula)
        elif (found := _ISO_DATE.fullmatch(value)) is None:
            result = (
                -1,
                _("“%(value)s” is not a date in the form YYYY-MM-DD (e.g. %(example)s)")
                % {"value": _shown(value), "example": f"{self.year}-01-31"},
            )
        else:
            try:
                day = date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                result = (-1, _("“%(value)s” is not a real date") % {"value": _shown(value)})
            else:
                if day.year != self.year:
                    result = (
                        -1,
                        _("%(date)s is outside the plan year %(year)s")
                        % {"date": value, "year": self.year},
                    )
                else:
                    result = ((day - self.jan_first).days, None)
        if len(self._day_cache) < 10_000:
            self._day_cache[text] = result
        return result

    def _code(self, text: str, *, campaign: bool) -> tuple[int, str | None]:
        if formula := _formula(text):
            return -1, formula
        value = unicodedata.normalize("NFKC", text).strip().lower()
        if campaign:
            if not value:
                return 0, None
            found = self.codes.campaigns.get(value)
            if found is None:
                return -1, _("no campaign with the code “%(code)s” in this plan") % {
                    "code": _shown(text.strip())
                }
            return found, None
        if not value:
            return -1, _("a channel code is required (the cell is empty)")
        index = self.codes.channels.get(value)
        if index is None:
            return -1, _("no channel with the code “%(code)s” in this plan") % {
                "code": _shown(text.strip())
            }
        return index, None

    def _by_value(
        self, cells: np.ndarray | _TextCells, parse: Callable[[str], tuple[int, str | None]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Parse each distinct value once: (values with -1 where refused, refused
        positions, their reasons)."""
        if isinstance(cells, _TextCells):
            codes, uniques = cells.codes, cells.uniques
        else:
            codes, uniques = pd.factorize(cells, sort=False)
        parsed = [parse(value) for value in uniques]
        numbers = np.array([value for value, _problem in parsed], dtype=np.int64)
        reasons = np.array([problem or "" for _value, problem in parsed], dtype=object)
        values = numbers[codes]
        bad = np.flatnonzero(values < 0)
        return values, bad, reasons[codes[bad]]

    def key_of(self, days: np.ndarray, channels: np.ndarray, campaigns: np.ndarray) -> np.ndarray:
        """One int64 per (day, channel index, campaign index), in that order."""
        n_campaigns = len(self.codes.campaign_ids)
        n_channels = max(len(self.codes.channel_ids), 1)
        return (days * n_channels + channels) * n_campaigns + campaigns

    def add(self, chunk: _Chunk) -> np.ndarray | None:
        """Check a chunk; its rows as the int64 matrix (one row per data row, money in
        cents) while the source has no problem so far, else None."""
        rows = chunk.rows
        cells = chunk.cells
        if chunk.errors:
            self.note_errors(chunk.errors)
        keep = np.ones(len(rows), dtype=bool)
        if chunk.excluded is not None:
            self.rows_total += int(chunk.excluded.sum())
            keep &= ~chunk.excluded
        # empty rows are skipped: only rows with an empty date can be empty
        maybe_blank = np.flatnonzero(_empty(cells["date"]))
        if len(maybe_blank):
            blank = np.ones(len(maybe_blank), dtype=bool)
            for column in cells.values():
                blank &= _empty(column[maybe_blank])
            keep[maybe_blank[blank]] = False
        if not keep.all():
            rows = rows[keep]
            cells = {name: column[keep] for name, column in cells.items()}
        count = len(rows)
        self.rows_total += count
        if not count:
            return None
        bad_row = np.zeros(count, dtype=bool)

        def refuse(
            positions: np.ndarray | list[int], column: str, reasons: Sequence[str] | np.ndarray
        ) -> None:
            where = np.asarray(positions, dtype=np.int64)
            if len(where):
                bad_row[where] = True
                self.note(rows[where], column, list(reasons))

        days, bad, reasons = self._by_value(cells["date"], self._day)
        refuse(bad, "date", reasons)
        channels, bad, reasons = self._by_value(
            cells["channel"], lambda text: self._code(text, campaign=False)
        )
        refuse(bad, "channel", reasons)
        if "campaign" in cells:
            campaigns, bad, reasons = self._by_value(
                cells["campaign"], lambda text: self._code(text, campaign=True)
            )
            refuse(bad, "campaign", reasons)
        else:
            campaigns = np.zeros(count, dtype=np.int64)

        matrix = np.empty((count, _WIDTH), dtype=np.int64)
        matrix[:, _DAY] = days
        matrix[:, _CHANNEL] = channels
        matrix[:, _CAMPAIGN] = campaigns
        unreadable = np.zeros(count, dtype=bool)  # impressions or clicks refused
        for offset, name in enumerate(_VALUE_COLUMNS, start=3):
            values, bad_positions, bad_reasons = _parse_numbers(
                cells[name], money=name in MONEY_FIELDS
            )
            matrix[:, offset] = values
            refuse(bad_positions, name, bad_reasons)
            if name in ("impressions", "clicks"):
                unreadable[np.asarray(bad_positions, dtype=np.int64)] = True
        impressions = matrix[:, 3 + _VALUE_COLUMNS.index("impressions")]
        clicks = matrix[:, 3 + _VALUE_COLUMNS.index("clicks")]
        over = np.flatnonzero((impressions > 0) & (clicks > impressions) & ~unreadable)
        refuse(
            over,
            "clicks",
            [
                _(
                    "%(clicks)s clicks exceed %(impressions)s impressions (write 0 impressions "
                    "if they are not tracked)"
                )
                % {"clicks": f"{clicks[i]:,}", "impressions": f"{impressions[i]:,}"}
                for i in over
            ],
        )

        keyed = (days >= 0) & (channels >= 0) & (campaigns >= 0)
        self.keys.append(self.key_of(days[keyed], channels[keyed], campaigns[keyed]))
        self.key_rows.append(rows[keyed])
        if keyed.any():
            low, high = int(days[keyed].min()), int(days[keyed].max())
            self.first_day = low if self.first_day is None else min(self.first_day, low)
            self.last_day = high if self.last_day is None else max(self.last_day, high)
        return matrix if not self.error_count else None

    def dates(self) -> tuple[date | None, date | None]:
        """The first and last dates of the checked rows."""

        def day(offset: int | None) -> date | None:
            if offset is None:
                return None
            return date.fromordinal(self.jan_first.toordinal() + offset)

        return day(self.first_day), day(self.last_day)

    def finish(self) -> bool:
        """Report repeated keys; whether the whole source is clean."""
        keys = np.concatenate(self.keys) if self.keys else np.empty(0, dtype=np.int64)
        rows = np.concatenate(self.key_rows) if self.key_rows else np.empty(0, dtype=np.int64)
        self.keys, self.key_rows = [], []
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        if len(ordered) > 1:
            repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
            if len(repeat):
                starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
                run_of = np.searchsorted(starts, repeat, side="right") - 1
                earlier = rows[order[starts[run_of]]]
                later = rows[order[repeat]]
                self.note(
                    later,
                    None,
                    [
                        _("repeats the date, channel and campaign of row %(row)s") % {"row": row}
                        for row in earlier.tolist()
                    ],
                )
        self.unique_keys = ordered
        return not self.error_count


# --- writing -------------------------------------------------------------------------------
#
# Rows are written while the source is still being read: each checked chunk goes to the
# table at once (PostgreSQL: a binary COPY fed from a second thread, so the database
# stores one chunk while this thread checks the next), all inside one transaction that
# is rolled back if anything in the source turns out wrong — nothing is half-written.
# The table has no unique key (see DailyMetric): once every row is in, the rows they
# replace are deleted by key, under the plan's import lock, in the same transaction.


def _numeric_digits(cents: np.ndarray) -> list[np.ndarray]:
    """Base-10000 digits of ``cents / 100`` for PostgreSQL's binary numeric: weight 2,
    four digits (10⁸, 10⁴, 1, 10⁻⁴); the value is below 10¹² (Decimal(14, 2))."""
    whole, fraction = np.divmod(cents, 100)
    return [whole // 10**8, (whole // 10**4) % 10**4, whole % 10**4, fraction * 100]


def _binary_rows(
    part: np.ndarray,
    codes: _Codes,
    plan_id: int,
    import_id: int | None,
    epoch_offset: int,
    first_id: int,
) -> bytes:
    """Rows in PostgreSQL's binary COPY format, for the columns of
    :data:`_BINARY_COLUMNS`, with the ids ``first_id``, ``first_id + 1``…

    Every field has a fixed width except the NULLs (length -1, no data): rows with and
    without a campaign are laid out by two structured dtypes and sent one after the
    other (the table has no row order)."""
    pieces = []
    has_campaign = part[:, _CAMPAIGN] > 0
    for with_campaign in (True, False):
        rows = part[has_campaign] if with_campaign else part[~has_campaign]
        if not len(rows):
            continue
        layout: list[tuple[str, str]] = [("fields", ">i2"), ("l_id", ">i4"), ("id", ">i8")]
        layout += [("l_plan", ">i4"), ("plan", ">i8"), ("l_date", ">i4"), ("date", ">i4")]
        layout += [("l_channel", ">i4"), ("channel", ">i8"), ("l_campaign", ">i4")]
        if with_campaign:
            layout.append(("campaign", ">i8"))
        for name in COUNT_FIELDS:
            layout += [(f"l_{name}", ">i4"), (name, ">i8")]
        for name in MONEY_FIELDS:
            layout += [(f"l_{name}", ">i4"), (f"n_{name}", ">i2"), (f"w_{name}", ">i2")]
            layout += [(f"s_{name}", ">u2"), (f"d_{name}", ">i2")]
            layout += [(f"{name}{i}", ">i2") for i in range(4)]
        layout.append(("l_import", ">i4"))
        if import_id is not None:
            layout.append(("import", ">i8"))
        out = np.empty(len(rows), dtype=np.dtype(layout))
        out["fields"] = len(_BINARY_COLUMNS)
        out["l_id"], out["id"] = 8, np.arange(first_id, first_id + len(rows), dtype=np.int64)
        first_id += len(rows)
        out["l_plan"], out["plan"] = 8, plan_id
        out["l_date"], out["date"] = 4, rows[:, _DAY] + epoch_offset
        out["l_channel"], out["channel"] = 8, codes.channel_ids[rows[:, _CHANNEL]]
        if with_campaign:
            out["l_campaign"], out["campaign"] = 8, codes.campaign_ids[rows[:, _CAMPAIGN]]
        else:
            out["l_campaign"] = -1
        for offset, name in enumerate(COUNT_FIELDS, start=3):
            out[f"l_{name}"], out[name] = 8, rows[:, offset]
        for offset, name in enumerate(MONEY_FIELDS, start=3 + len(COUNT_FIELDS)):
            out[f"l_{name}"], out[f"n_{name}"], out[f"w_{name}"] = 16, 4, 2
            out[f"s_{name}"], out[f"d_{name}"] = 0, 2  # positive, two decimals
            for i, digits in enumerate(_numeric_digits(rows[:, offset])):
                out[f"{name}{i}"] = digits
        if import_id is not None:
            out["l_import"], out["import"] = 8, import_id
        else:
            out["l_import"] = -1
        pieces.append(out.tobytes())
    return b"".join(pieces)


_COPY_COLUMNS = (
    "plan_id",
    "date",
    "channel_id",
    "campaign_id",
    *COUNT_FIELDS,
    *MONEY_FIELDS,
    "source_import_id",
)
_BINARY_COLUMNS = ("id", *_COPY_COLUMNS)  # PostgreSQL: the import numbers its rows
_END = object()  # the queue's last item: the source is done
_ABORT = object()  # the queue's last item: give up (the transaction rolls back)


class _Aborted(Exception):
    """Raised inside the COPY (from the reader) to make PostgreSQL abandon it."""


class _QueueReader(io.RawIOBase):
    """A readable file over a queue of byte strings and checked chunks, the chunks
    encoded by ``encode`` here, on the COPY's thread (for psycopg2's ``copy_expert``)."""

    def __init__(self, pieces: queue.Queue[object], encode: Callable[[np.ndarray], bytes]):
        super().__init__()
        self._pieces = pieces
        self._encode = encode

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        piece = self._pieces.get()
        if piece is _END:
            return b""
        if piece is _ABORT:
            raise _Aborted
        if isinstance(piece, np.ndarray):
            return self._encode(piece)
        assert isinstance(piece, bytes)
        return piece


class _Writer:
    """Where checked chunks go, in the import's transaction (see "writing" above)."""

    def __init__(self, *, plan: Plan, codes: _Codes, import_id: int | None, jan_first: date):
        self.plan = plan
        self.codes = codes
        self.import_id = import_id
        self.jan_first = jan_first
        self.table = connection.ops.quote_name(DailyMetric._meta.db_table)
        with connection.cursor() as cursor:
            # Every row of the plan written before now has an id up to this; every row
            # of this import gets a larger one (ids only grow, and earlier imports of
            # the plan committed before this one took the lock).
            cursor.execute(f"SELECT MAX(id) FROM {self.table}")  # noqa: S608 - our name
            self.watermark = int(cursor.fetchone()[0] or 0)

    def send(self, part: np.ndarray) -> None:
        """SQLite: insert the rows now (this database has one writer at a time)."""
        days = [
            date.fromordinal(self.jan_first.toordinal() + day).isoformat()
            for day in range(int(part[:, _DAY].max()) + 1)
        ]
        campaign_ids = self.codes.campaign_ids[part[:, _CAMPAIGN]].tolist()
        params = zip(
            [self.plan.pk] * len(part),
            [days[day] for day in part[:, _DAY].tolist()],
            self.codes.channel_ids[part[:, _CHANNEL]].tolist(),
            [campaign or None for campaign in campaign_ids],
            *(part[:, offset].tolist() for offset in range(3, _WIDTH)),
            [self.import_id] * len(part),
            strict=True,
        )
        counts = ", ".join(["%s"] * len(COUNT_FIELDS))
        money = ", ".join(["%s / 100.0"] * len(MONEY_FIELDS))
        sql = (
            f"INSERT INTO {self.table} ({', '.join(_COPY_COLUMNS)}) "  # noqa: S608 - our names
            f"VALUES (%s, %s, %s, %s, {counts}, {money}, %s)"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(params))

    def finish(self) -> None:
        """Every chunk has been sent."""

    def abort(self) -> None:
        """The source was refused: stop (the caller rolls the transaction back)."""

    def supersede(self, first: date, last: date) -> int:
        """Delete the plan's earlier rows that this import's rows replace; their count."""
        earlier = DailyMetric.objects.filter(
            plan=self.plan, date__range=(first, last), id__lte=self.watermark
        )
        if not earlier.exists():
            return 0
        if connection.vendor == "postgresql":  # a hash join
            sql = (
                f"DELETE FROM {self.table} d USING {self.table} n "  # noqa: S608 - our name
                "WHERE d.plan_id = %s AND d.id <= %s AND d.date BETWEEN %s AND %s "
                "AND n.plan_id = %s AND n.id > %s AND n.date = d.date "
                "AND n.channel_id = d.channel_id "
                "AND COALESCE(n.campaign_id, 0) = COALESCE(d.campaign_id, 0)"
            )
        else:  # SQLite indexes the subquery's rows once
            sql = (
                f"DELETE FROM {self.table} WHERE plan_id = %s AND id <= %s "  # noqa: S608
                "AND date BETWEEN %s AND %s "
                "AND (date, channel_id, COALESCE(campaign_id, 0)) IN ("
                f"SELECT date, channel_id, COALESCE(campaign_id, 0) FROM {self.table} "
                "WHERE plan_id = %s AND id > %s)"
            )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The statistics predate this import's rows: left to itself the planner
                # may pick a nested loop over a million rows. Until the commit only.
                cursor.execute(
                    "SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; "
                    "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"
                )
            cursor.execute(
                sql, [self.plan.pk, self.watermark, first, last, self.plan.pk, self.watermark]
            )
            return int(cursor.rowcount)


class _CopyWriter(_Writer):
    """PostgreSQL: one binary ``COPY`` into the table, fed chunk by chunk from a second
    thread, so the database stores a chunk while this thread checks the next.

    The rows take their ids from one block of the id sequence (``DailyMetric.ID_BLOCK``
    ids; the sequence steps by a block), numbered here: a ``COPY`` that leaves the ids
    to the column's default pays a ``nextval`` per row, as much as the primary key's
    index costs. The block is taken after the watermark is read, so every id in it is
    above the watermark."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._epoch_offset = (self.jan_first - date(2000, 1, 1)).days
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [DailyMetric._meta.db_table]
            )
            self._next_id = int(cursor.fetchone()[0])
        self._queue: queue.Queue[object] = queue.Queue(maxsize=3)
        self._failure: BaseException | None = None
        self._queue.put(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        columns = ", ".join(_BINARY_COLUMNS)
        sql = f"COPY {self.table} ({columns}) FROM STDIN WITH (FORMAT binary)"
        raw = connection.cursor().cursor  # psycopg2's cursor: this thread leaves it alone
        self._thread = threading.Thread(target=self._copy, args=(raw, sql), daemon=True)
        self._thread.start()

    def _copy(self, raw: Any, sql: str) -> None:
        try:
            raw.copy_expert(sql, _QueueReader(self._queue, self._encode), size=1024 * 1024)
        except BaseException as failure:  # handed to the importing thread
            self._failure = failure

    def _put(self, item: object) -> None:
        while True:
            if not self._thread.is_alive():
                if self._failure is not None and item is not _ABORT:
                    raise self._failure
                return
            try:
                self._queue.put(item, timeout=0.2)
            except queue.Full:
                continue
            return

    def send(self, part: np.ndarray) -> None:
        self._put(part)  # encoded by the COPY's thread (numpy lets go of the GIL there)

    def _encode(self, part: np.ndarray) -> bytes:
        first_id, self._next_id = self._next_id, self._next_id + len(part)  # the COPY's thread
        return _binary_rows(
            part, self.codes, self.plan.pk, self.import_id, self._epoch_offset, first_id
        )

    def finish(self) -> None:
        self._put(struct.pack(">h", -1))
        self._put(_END)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def abort(self) -> None:
        self._put(_ABORT)
        self._thread.join()


def _lock_plan(plan: Plan) -> None:
    """One import of a plan at a time (until commit), and its channels and campaigns
    kept: a delete of one of them waits for this import to commit, then sees its rows."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_NAMESPACE | plan.pk])
        for model in (Channel, Campaign):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT id FROM {table} WHERE plan_id = %s FOR KEY SHARE",  # noqa: S608
                [plan.pk],
            )


def _index_of(ids: np.ndarray, values: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``values`` in the sorted ``ids``, and which of them are there."""
    wanted = np.array(values, dtype=np.int64)
    position = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
    found = ids[position] == wanted if len(ids) else np.zeros(len(wanted), dtype=bool)
    return position, found


def _replaced_count(plan: Plan, checker: _Checker, first: date, last: date) -> int:
    """How many of the source's keys the plan already has (a dry run's "replaced")."""
    stored = DailyMetric.objects.filter(plan=plan, date__range=(first, last)).values_list(
        "date", "channel_id", "campaign_id"
    )
    codes = checker.codes
    found = 0
    batch = 100_000
    rows = stored.iterator(chunk_size=batch)
    while chunk := list(itertools.islice(rows, batch)):
        days, channels, campaigns = zip(*chunk, strict=True)
        day = (np.array(days, dtype="datetime64[D]") - np.datetime64(checker.jan_first)).astype(
            np.int64
        )
        channel, known = _index_of(codes.channel_ids, channels)
        campaign, known_campaign = _index_of(codes.campaign_ids, [c or 0 for c in campaigns])
        known &= known_campaign
        keys = checker.key_of(day[known], channel[known], campaign[known])
        found += int(np.isin(keys, checker.unique_keys).sum())
    return found


# --- the entry point -------------------------------------------------------------------------


def load_metrics(
    *,
    plan: Plan,
    source: Source,
    filename: str,
    dry_run: bool = False,
    import_record: MetricImport | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Check a daily metrics source as a whole and, if it has no problem, write it.

    ``source`` is a binary file object (read from its start; a Django
    ``UploadedFile`` will do), a path, the file's bytes, or JSON rows (a list of
    objects). ``filename`` is only used in messages: the format is read from the
    content. With ``dry_run`` nothing is written and the outcome counts what would
    be added and replaced. Written rows point at ``import_record`` when one is
    given. ``progress`` is called with 0–100 as the work advances (reading and
    checking take the bar to 80).

    Problems in the source are returned in the outcome (``ok`` is False), never
    raised; database errors are raised.
    """
    report = _Progress(progress)
    report(0)
    with transaction.atomic():
        if not dry_run:
            _lock_plan(plan)
        codes = _Codes.of(plan)  # under the lock: a deleted channel's code is unknown

        def attempt(arrow: bool) -> tuple[_Checker, bool, int]:
            """Read, check and (if all is clean) write: the checker, clean, replaced."""
            checker = _Checker(codes, plan.year)
            writer: _Writer | None = None
            if not dry_run:
                kind = _CopyWriter if connection.vendor == "postgresql" else _Writer
                writer = kind(
                    plan=plan,
                    codes=codes,
                    import_id=import_record.pk if import_record is not None else None,
                    jan_first=checker.jan_first,
                )
            _read(source, filename, checker, report, writer, arrow=arrow)
            clean = checker.finish()
            if not checker.rows_total and clean:
                checker.note_errors(
                    [RowError(None, None, _("The file has a header row but no data rows."))]
                )
                clean = False
            first, last = checker.dates()
            replaced = 0
            if not clean or first is None or last is None:
                if writer is not None:
                    writer.abort()
                    transaction.set_rollback(True)
            elif writer is not None:
                try:
                    writer.finish()
                except BaseException:
                    writer.abort()
                    raise
                report(_READ_SHARE + (100 - _READ_SHARE) / 2)
                replaced = writer.supersede(first, last)
            else:
                replaced = _replaced_count(plan, checker, first, last)
            return checker, clean, replaced

        try:
            # Arrow reads a CSV file fast. At a row it cannot read, what was written is
            # rolled back (to this savepoint) and pandas reads the file from the start,
            # and says what is wrong.
            with transaction.atomic():
                checker, clean, replaced = attempt(arrow=True)
        except _ArrowGaveUp:
            checker, clean, replaced = attempt(arrow=False)
    report(100)
    first_date, last_date = checker.dates()
    return ImportOutcome(
        rows_total=checker.rows_total,
        inserted=checker.rows_total - replaced if clean else 0,
        replaced=replaced,
        errors=checker.errors(),
        error_count=checker.error_count,
        first_date=first_date,
        last_date=last_date,
        dry_run=dry_run,
    )


def _read(
    source: Source,
    filename: str,
    checker: _Checker,
    report: _Progress,
    writer: _Writer | None,
    *,
    arrow: bool,
) -> None:
    """Read and check the whole source; while it is clean, hand each chunk to ``writer``
    (which is stopped if anything is raised)."""
    with ExitStack() as stack:
        if writer is not None:

            def stop(kind: type[BaseException] | None, *_details: object) -> bool:
                if kind is not None:
                    writer.abort()
                return False  # the exception goes on

            stack.push(stop)
        try:
            _form, chunks = _source_chunks(
                source, filename, METRICS_FORMAT, stack, report, arrow=arrow
            )
            for chunk in chunks:
                checked = checker.add(chunk)
                # data rows, and (empty rows included) records: both bounded
                last_row = int(chunk.rows[-1]) if len(chunk.rows) else 0
                if checker.rows_total > MAX_ROWS or last_row > 2 * MAX_ROWS + 1:
                    raise _refused(
                        _(
                            "The file has more than %(limit)s data rows; split it into "
                            "smaller files."
                        )
                        % {"limit": f"{MAX_ROWS:,}"}
                    )
                if checked is not None and len(checked) and writer is not None:
                    writer.send(checked)
        except _Refused as refused:
            checker.note_errors(refused.errors)
