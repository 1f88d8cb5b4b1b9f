"""Read and check a plan's customer journeys, and reduce them to distinct paths.

:func:`load_journeys` reads the *whole* source, checks it, and returns either every
problem found or the distinct paths with their counts; it writes nothing (the
service ``monitoring.attribution.import_journeys`` stores the paths). Opening and
recognising files (size, binary signatures, XLSX safety, encodings, delimiters) and
the messages for numbers and amounts are those of the metrics importer
(``monitoring.importer``), imported from it.

Formats (SPEC.md, "Interfaces that other tools rely on"; header names fixed, order
free, any other column refused; CSV UTF-8/GBK, XLSX first sheet, or JSON rows)
-----------------------------------------------------------------------------------
**Touchpoint rows** ``journey_id,timestamp,channel,conversion,conversion_value``

* ``journey_id``: any text (not empty); the rows of a journey may come in any order.
* ``timestamp``: ISO 8601, ``YYYY-MM-DD HH:MM[:SS]`` (or with ``T``); with ``Z`` or an
  offset (``+08:00``) it is that instant, without one it is the server's time zone
  (``TIME_ZONE``). A date alone is midnight.
* ``channel``: a channel code of the plan.
* ``conversion``: ``1`` on the touch where the journey converted, else ``0``.
* ``conversion_value``: the conversion's value (an amount ≥ 0, at most 2 decimals)
  on the converting touch; empty or 0 on the others.

Rules: a journey converts at most once (a second ``1`` is refused: a repeat
purchase is a new journey); touches *after* the conversion are dropped (counted as
"touches after a conversion") since they cannot have caused it; a journey belongs to
the plan year it **ends** in (its conversion, or its last touch when it did not
convert) and must end in the plan year; its earlier touches may start up to
:data:`LOOKBACK_DAYS` days before the year; the same journey, timestamp and channel
twice is a duplicate and refused.

**Path rows** ``path,conversions,conversion_value,nulls``

* ``path``: channel codes separated by ``>`` (``douyin > baidu_sem > tmall``).
* ``conversions``, ``nulls``: whole numbers ≥ 0, not both 0 (journeys that converted /
  ended without converting after this path).
* ``conversion_value``: the total value of the path's conversions (0 when none).

Rules: each path once per file (after reading the codes: ``A>B`` and ``a > b`` are the
same path); path rows have no timestamps, so time decay is not available for them.

Reduction
---------
Touchpoints are never turned into path strings: journey ids are factorised, the rows
ordered by one ``lexsort`` on (journey, timestamp, row) and grouped as integer arrays
(``monitoring.analytics.attribution.reduce_touchpoints``). What is kept: per distinct
converting (path, whole days before the conversion of each touch) and per distinct
non-converting path, the counts and the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from monitoring.analytics import attribution
from monitoring.importer import (
    MAX_ERRORS,
    MAX_ROWS,
    RowError,
    Source,
    SourceFormat,
    _Chunk,
    _Codes,
    _formula,
    _parse_numbers,
    _Progress,
    _Refused,
    _refused,
    _shown,
    _source_chunks,
)
from monitoring.models import JourneyFormat

if TYPE_CHECKING:
    from planner.models import Plan

TOUCH_COLUMNS = ("journey_id", "timestamp", "channel", "conversion", "conversion_value")
PATH_COLUMNS = ("path", "conversions", "conversion_value", "nulls")
LOOKBACK_DAYS = 90
MAX_JOURNEY_ID = 200  # characters
_ORDER = {name: i for i, name in enumerate((*TOUCH_COLUMNS, *PATH_COLUMNS))}
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


# --- results ------------------------------------------------------------------------------------


@dataclass
class JourneyOutcome:
    """What a journeys source holds (or every problem with it)."""

    format: str
    rows_total: int
    errors: list[RowError]
    error_count: int
    paths: attribution.Paths | None = None  # the reduction, when the source is valid
    channel_ids: np.ndarray | None = None  # channel index → Channel id
    journeys: int = 0
    conversions: int = 0
    value_cents: int = 0
    touches_cut: int = 0
    first_date: date | None = None
    last_date: date | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def more_errors_text(self) -> str:
        if self.more_errors <= 0:
            return ""
        return ngettext("+%(count)s more problem", "+%(count)s more problems", self.more_errors) % {
            "count": f"{self.more_errors:,}"
        }


class _Problems:
    """The problems found: all counted, the first :data:`MAX_ERRORS` by row kept."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[tuple[int, int, str | None, str]] = []

    def note(self, rows: Sequence[int] | np.ndarray, column: str | None, messages: Any) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        self.count += len(rows)
        order = -1 if column is None else _ORDER.get(column, len(_ORDER))
        head = np.argsort(rows, kind="stable")[:MAX_ERRORS]
        self.kept.extend((int(rows[i]), order, column, str(messages[i])) for i in head)
        self.kept.sort(key=lambda item: (item[0], item[1]))
        del self.kept[MAX_ERRORS:]

    def add(self, errors: Sequence[RowError]) -> None:
        for error in errors:
            self.note([error.row or 0], error.column, [error.message])

    def errors(self) -> list[RowError]:
        return [RowError(row or None, column, message) for row, _o, column, message in self.kept]


# --- reading -------------------------------------------------------------------------------------


class _JourneyFormats(SourceFormat):
    """Touchpoint rows or path rows, told apart by their header."""

    def pick(self, names: list[str], *, row: int | None) -> SourceFormat:
        if "journey_id" in names:
            return TOUCH_FORMAT
        if "path" in names:
            return PATH_FORMAT
        raise _refused(
            _("The header is neither touchpoint rows (%(touchpoints)s) nor path rows (%(paths)s).")
            % {"touchpoints": ", ".join(TOUCH_COLUMNS), "paths": ", ".join(PATH_COLUMNS)},
            row=row,
        )


_MESSAGES = {
    "unknown": gettext_noop("is not a column of this format (%(columns)s)"),
    "unnamed": gettext_noop("this column has no name; remove it"),
    "empty": gettext_noop("The first row is empty; it must hold the column names."),
}
TOUCH_FORMAT = SourceFormat(columns=TOUCH_COLUMNS, required=TOUCH_COLUMNS, **_MESSAGES)
PATH_FORMAT = SourceFormat(columns=PATH_COLUMNS, required=PATH_COLUMNS, **_MESSAGES)
JOURNEY_FORMATS = _JourneyFormats(columns=(), required=(), **_MESSAGES)

Chunk = tuple[np.ndarray, dict[str, np.ndarray]]


def _chunks(source: Source, filename: str, stack: ExitStack) -> tuple[str, Iterator[_Chunk]]:
    """The source's format (touchpoints or paths), its header checked; its rows in chunks."""
    form, chunks = _source_chunks(source, filename, JOURNEY_FORMATS, stack, _Progress(None))
    kind = JourneyFormat.TOUCHPOINTS if form is TOUCH_FORMAT else JourneyFormat.PATHS
    return kind, chunks


def _data_rows(chunks: Iterator[_Chunk], problems: _Problems) -> Iterator[Chunk]:
    """Each chunk's row numbers and cells without its empty rows and the rows refused
    while reading (whose problems are noted)."""
    for chunk in chunks:
        problems.add(chunk.errors)
        rows, cells = chunk.rows, chunk.cells
        keep = np.zeros(len(rows), dtype=bool)
        for column in cells.values():
            keep |= np.array([bool(c.strip()) for c in column], dtype=bool)
        if chunk.excluded is not None:
            keep &= ~chunk.excluded
        if not keep.all():
            rows = rows[keep]
            cells = {k: v[keep] for k, v in cells.items()}
        yield rows, cells


# --- cells ---------------------------------------------------------------------------------------


def _strip(cells: np.ndarray) -> np.ndarray:
    return np.array([unicodedata.normalize("NFKC", c).strip() for c in cells], dtype=object)


def _by_value(cells: np.ndarray, parse: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse each distinct value once: (values, refused positions, their reasons)."""
    codes, uniques = pd.factorize(cells, sort=False)
    parsed = [parse(value) for value in uniques]
    values = np.array([value for value, _p in parsed], dtype=np.int64)[codes]
    reasons = np.array([problem or "" for _v, problem in parsed], dtype=object)[codes]
    bad = np.flatnonzero(reasons != "")
    return values, bad, reasons[bad]


def _channel(codes: _Codes) -> Any:
    def parse(text: str) -> tuple[int, str | None]:
        if formula := _formula(text):
            return -1, formula
        value = unicodedata.normalize("NFKC", text).strip().lower()
        if not value:
            return -1, _("a channel code is required (the cell is empty)")
        found = codes.channels.get(value)
        if found is None:
            return -1, _("no channel with the code “%(code)s” in this plan") % {
                "code": _shown(text.strip())
            }
        return found, None

    return parse


def _timestamps(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds since the epoch (UTC) per cell, the refused positions and their reasons."""
    codes, uniques = pd.factorize(cells, sort=False)
    texts = [unicodedata.normalize("NFKC", str(u)).strip() for u in uniques]
    seconds = np.zeros(len(texts), dtype=np.int64)
    reasons = np.array([""] * len(texts), dtype=object)
    naive: list[int] = []
    aware: list[int] = []
    for i, text in enumerate(texts):
        found = _TIMESTAMP.fullmatch(text)
        if not text:
            reasons[i] = _("a timestamp is required (the cell is empty)")
        elif found is None:
            reasons[i] = _(
                "“%(value)s” is not a timestamp in the form YYYY-MM-DD HH:MM:SS (ISO 8601)"
            ) % {"value": _shown(text)}
        else:
            (aware if found[7] else naive).append(i)
    zone = timezone.get_default_timezone_name()
    for group, is_aware in ((naive, False), (aware, True)):
        if not group:
            continue
        values = [texts[i].replace(" ", "T", 1) for i in group]
        parsed = pd.to_datetime(
            pd.Series(values, dtype=object), format="ISO8601", errors="coerce", utc=is_aware
        )
        if not is_aware:
            parsed = parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        missing = parsed.isna().to_numpy()
        epoch = pd.Timestamp("1970-01-01", tz="UTC")
        delta = (parsed.fillna(epoch) - epoch).dt.total_seconds().to_numpy()
        index = np.asarray(group, dtype=np.int64)
        seconds[index] = np.floor(delta).astype(np.int64)
        for i in index[missing].tolist():
            reasons[i] = _("“%(value)s” is not a real date and time") % {"value": _shown(texts[i])}
    values = seconds[codes]
    why = reasons[codes]
    bad = np.flatnonzero(why != "")
    return values, bad, why[bad]


def _local_dates(seconds: np.ndarray) -> pd.DatetimeIndex:
    zone = timezone.get_default_timezone_name()
    return pd.to_datetime(seconds, unit="s", utc=True).tz_convert(zone)


# --- touchpoints ---------------------------------------------------------------------------------


def _touchpoints(
    chunks: Iterator[_Chunk], codes: _Codes, year: int, problems: _Problems
) -> JourneyOutcome:
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("row", "journey", "second", "channel", "conversion", "cents")
    }
    rows_total = 0
    for rows, cells in _data_rows(chunks, problems):
        count = len(rows)
        rows_total += count
        if rows_total > MAX_ROWS:
            raise _refused(
                _("The file has more than %(limit)s data rows; split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        if not count:
            continue
        journeys = _strip(cells["journey_id"])
        empty = np.flatnonzero(journeys == "")
        problems.note(rows[empty], "journey_id", [_("a journey id is required")] * len(empty))
        long = np.flatnonzero(np.fromiter(map(len, journeys), dtype=np.int64) > MAX_JOURNEY_ID)
        problems.note(
            rows[long],
            "journey_id",
            [_("is longer than %(n)s characters") % {"n": MAX_JOURNEY_ID}] * len(long),
        )
        seconds, bad, reasons = _timestamps(cells["timestamp"])
        problems.note(rows[bad], "timestamp", reasons)
        channels, bad, reasons = _by_value(cells["channel"], _channel(codes))
        problems.note(rows[bad], "channel", reasons)
        flags = _strip(cells["conversion"])
        conversion = np.where(flags == "1", 1, 0).astype(np.int64)
        bad = np.flatnonzero((flags != "1") & (flags != "0"))
        problems.note(
            rows[bad],
            "conversion",
            [
                _("must be 1 (the journey converted on this touch) or 0, not “%(value)s”")
                % {"value": _shown(flags[i])}
                if flags[i]
                else _("must be 1 or 0 (the cell is empty)")
                for i in bad
            ],
        )
        value_cells = _strip(cells["conversion_value"])
        given = np.flatnonzero(value_cells != "")
        cents = np.zeros(count, dtype=np.int64)
        if len(given):
            parsed, bad_positions, bad_reasons = _parse_numbers(value_cells[given], money=True)
            cents[given] = parsed
            problems.note(rows[given[bad_positions]], "conversion_value", bad_reasons)
        stray = np.flatnonzero((cents > 0) & (conversion == 0) & (flags == "0"))
        problems.note(
            rows[stray],
            "conversion_value",
            [_("a value on a touch without a conversion (conversion is 0)")] * len(stray),
        )
        for key, array in (
            ("row", rows),
            ("journey", journeys),
            ("second", seconds),
            ("channel", channels),
            ("conversion", conversion),
            ("cents", cents),
        ):
            parts[key].append(array)
    if not rows_total:
        raise _refused(_("The file has a header row but no data rows."))
    if problems.count:  # the cross-row checks need every cell readable
        return JourneyOutcome(JourneyFormat.TOUCHPOINTS, rows_total, [], 0)
    row = np.concatenate(parts["row"])
    labels = np.concatenate(parts["journey"])
    second = np.concatenate(parts["second"])
    channel = np.concatenate(parts["channel"])
    conversion = np.concatenate(parts["conversion"])
    cents = np.concatenate(parts["cents"])
    journey, uniques = pd.factorize(labels, sort=False)
    journey = journey.astype(np.int64)
    # Duplicates: the same journey, timestamp and channel.
    order = np.lexsort((row, channel, second, journey))
    same = (
        (journey[order][1:] == journey[order][:-1])
        & (second[order][1:] == second[order][:-1])
        & (channel[order][1:] == channel[order][:-1])
    )
    repeat = np.flatnonzero(same) + 1
    if len(repeat):
        starts = np.flatnonzero(np.r_[True, ~same])
        first_of = row[order][starts[np.searchsorted(starts, repeat, side="right") - 1]]
        problems.note(
            row[order][repeat],
            None,
            [
                _("repeats the journey, timestamp and channel of row %(row)s") % {"row": r}
                for r in first_of.tolist()
            ],
        )
    # One conversion per journey.
    converting = np.flatnonzero(conversion == 1)
    by_journey = converting[np.lexsort((second[converting], journey[converting]))]
    again = np.flatnonzero(journey[by_journey][1:] == journey[by_journey][:-1]) + 1
    if len(again):
        problems.note(
            row[by_journey[again]],
            "conversion",
            [
                _(
                    "the journey “%(journey)s” already converted on row %(row)s; a journey "
                    "converts once (give a repeat purchase its own journey id)"
                )
                % {"journey": _shown(str(uniques[journey[i]])), "row": row[by_journey[k - 1]]}
                for k, i in zip(again.tolist(), by_journey[again].tolist(), strict=True)
            ],
        )
    # The journey's end (its conversion, else its last touch) is in the plan year; no
    # touch is more than the look-back before the year.
    n = len(uniques)
    end = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(end, journey, second)
    converted_at = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(converted_at, journey[converting], second[converting])
    has_conversion = converted_at != np.iinfo(np.int64).max
    end = np.where(has_conversion, converted_at, end)
    end_local = _local_dates(end)
    outside = np.flatnonzero(end_local.year != year)
    if len(outside):
        end_row = np.zeros(n, dtype=np.int64)
        is_end = second == end[journey]
        is_end &= np.where(has_conversion[journey], conversion == 1, True)
        end_row[journey[is_end]] = row[is_end]
        problems.note(
            end_row[outside],
            "timestamp",
            [
                _(
                    "the journey “%(journey)s” ends on %(date)s, outside the plan year "
                    "%(year)s (a journey counts in the year it converts or ends)"
                )
                % {
                    "journey": _shown(str(uniques[i])),
                    "date": end_local[i].date().isoformat(),
                    "year": year,
                }
                for i in outside.tolist()
            ],
        )
    earliest = pd.Timestamp(year=year, month=1, day=1, tz=timezone.get_default_timezone_name())
    floor = int((earliest - pd.Timedelta(days=LOOKBACK_DAYS)).timestamp())
    early = np.flatnonzero(second < floor)
    problems.note(
        row[early],
        "timestamp",
        [
            _("is more than %(days)s days before the plan year %(year)s")
            % {"days": LOOKBACK_DAYS, "year": year}
        ]
        * len(early),
    )
    if problems.count:
        return JourneyOutcome(JourneyFormat.TOUCHPOINTS, rows_total, [], 0)
    reduction = attribution.reduce_touchpoints(journey, second, channel, conversion, cents)
    days = end_local.date
    return JourneyOutcome(
        JourneyFormat.TOUCHPOINTS,
        rows_total,
        [],
        0,
        paths=reduction.paths,
        channel_ids=codes.channel_ids,
        journeys=reduction.journeys,
        conversions=reduction.converted,
        value_cents=round(float(reduction.paths.value.sum())),
        touches_cut=reduction.touches_cut,
        first_date=min(days),
        last_date=max(days),
    )


# --- path rows -----------------------------------------------------------------------------------


def _path_parser(codes: _Codes) -> Any:
    def parse(text: str) -> tuple[list[int] | None, str | None]:
        if formula := _formula(text):
            return None, formula
        value = unicodedata.normalize("NFKC", text).strip()
        if not value:
            return None, _("the path is empty; write channel codes separated by “>”")
        steps = [step.strip().lower() for step in value.split(">")]
        if any(not step for step in steps):
            return None, _("“%(value)s” has an empty step between two “>”") % {
                "value": _shown(value)
            }
        unknown = [step for step in steps if step not in codes.channels]
        if unknown:
            return None, ngettext(
                "no channel with the code %(codes)s in this plan",
                "no channels with the codes %(codes)s in this plan",
                len(set(unknown)),
            ) % {"codes": ", ".join(f"“{_shown(s)}”" for s in dict.fromkeys(unknown))}
        return [codes.channels[step] for step in steps], None

    return parse


def _path_rows(chunks: Iterator[_Chunk], codes: _Codes, problems: _Problems) -> JourneyOutcome:
    parse = _path_parser(codes)
    all_rows: list[np.ndarray] = []
    sequences: list[list[int]] = []
    counts: dict[str, list[np.ndarray]] = {"conversions": [], "nulls": [], "cents": []}
    rows_total = 0
    for rows, cells in _data_rows(chunks, problems):
        rows_total += len(rows)
        if rows_total > MAX_ROWS:
            raise _refused(
                _("The file has more than %(limit)s data rows; split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        if not len(rows):
            continue
        index, uniques = pd.factorize(cells["path"], sort=False)
        parsed = [parse(u) for u in uniques]
        for position, u in enumerate(index.tolist()):
            steps, problem = parsed[u]
            if problem:
                problems.note([rows[position]], "path", [problem])
            sequences.append(steps or [])
        numbers = {}
        for name, money in (("conversions", False), ("nulls", False), ("conversion_value", True)):
            values, bad, reasons = _parse_numbers(cells[name], money=money)
            problems.note(rows[np.asarray(bad, dtype=np.int64)], name, reasons)
            numbers[name] = values
        none = np.flatnonzero((numbers["conversions"] == 0) & (numbers["nulls"] == 0))
        problems.note(
            rows[none],
            None,
            [_("counts no journey: conversions and nulls are both 0")] * len(none),
        )
        stray = np.flatnonzero((numbers["conversion_value"] > 0) & (numbers["conversions"] == 0))
        problems.note(
            rows[stray],
            "conversion_value",
            [_("a value without conversions (conversions is 0)")] * len(stray),
        )
        all_rows.append(rows)
        counts["conversions"].append(numbers["conversions"])
        counts["nulls"].append(numbers["nulls"])
        counts["cents"].append(numbers["conversion_value"])
    if not rows_total:
        raise _refused(_("The file has a header row but no data rows."))
    if problems.count:
        return JourneyOutcome(JourneyFormat.PATHS, rows_total, [], 0)
    row = np.concatenate(all_rows)
    conversions = np.concatenate(counts["conversions"])
    nulls = np.concatenate(counts["nulls"])
    cents = np.concatenate(counts["cents"])
    paths = attribution.Paths.from_lists(
        sequences, conversions.tolist(), cents.tolist(), nulls.tolist()
    )
    group, rep = attribution._group_rows([paths.channels], paths.lengths)
    if len(rep) < len(paths):
        first_row = np.full(len(rep), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_row, group, row)
        later = np.flatnonzero(row != first_row[group])
        problems.note(
            row[later],
            "path",
            [
                _("repeats the path of row %(row)s") % {"row": r}
                for r in first_row[group[later]].tolist()
            ],
        )
        return JourneyOutcome(JourneyFormat.PATHS, rows_total, [], 0)
    return JourneyOutcome(
        JourneyFormat.PATHS,
        rows_total,
        [],
        0,
        paths=paths,
        channel_ids=codes.channel_ids,
        journeys=int(conversions.sum() + nulls.sum()),
        conversions=int(conversions.sum()),
        value_cents=int(cents.sum()),
    )


# --- the entry point -----------------------------------------------------------------------------


def load_journeys(*, plan: Plan, source: Source, filename: str) -> JourneyOutcome:
    """Check a journeys source as a whole; its distinct paths when it has no problem.

    ``source``: a binary file object, a path, bytes, or JSON rows (a list of
    objects). Problems are returned in the outcome (``ok`` False), never raised.
    Values in the returned paths are in cents.
    """
    problems = _Problems()
    codes = _Codes.of(plan)
    kind = ""
    outcome: JourneyOutcome | None = None
    with ExitStack() as stack:
        try:
            kind, chunks = _chunks(source, filename, stack)
            if kind == JourneyFormat.TOUCHPOINTS:
                outcome = _touchpoints(chunks, codes, plan.year, problems)
            else:
                outcome = _path_rows(chunks, codes, problems)
        except _Refused as refused:
            problems.add(refused.errors)
    if outcome is None:
        outcome = JourneyOutcome(kind, 0, [], 0)
    if problems.count:
        outcome.paths = None
    outcome.errors = problems.errors()
    outcome.error_count = problems.count
    return outcome


def timestamp_text(moment: datetime) -> str:
    """A timestamp as the touchpoint format writes it (local time, to the second)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
