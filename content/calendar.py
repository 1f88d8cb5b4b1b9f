"""The campaign calendar's layout: month grids with campaign bars in lanes, the year's
mini months and the Gantt chart's positions.

Arithmetic on dates and on the rows :func:`content.queries.calendar` already loaded: no
queries, no templates. Positions that end up in ``style`` attributes are formatted
here (always with a ``.`` decimal point, whatever the reader's locale).
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.models import Campaign
    from content.queries import Calendar, FestivalDay, Overlap

WEEK = 7
MINI_LANES = 4  # campaign lines a day of a mini month shows before "more"


def month_end(first: date) -> date:
    return first.replace(day=stdlib_calendar.monthrange(first.year, first.month)[1])


def quarter_months(quarter: int) -> list[int]:
    return [3 * (quarter - 1) + n for n in (1, 2, 3)]


def _lanes(items: Iterable[Campaign]) -> dict[int, int]:
    """Greedy interval colouring: each campaign's lane, the lowest one free on its start.

    Longer campaigns come first among those starting the same day, so they keep the
    top lanes and the short ones fill in below."""
    ends: list[date] = []
    lanes: dict[int, int] = {}
    for c in sorted(items, key=lambda c: (c.start, -(c.end - c.start).days, c.code)):
        lane = next((n for n, end in enumerate(ends) if end < c.start), len(ends))
        if lane == len(ends):
            ends.append(c.end)
        else:
            ends[lane] = c.end
        lanes[c.pk] = lane
    return lanes


# --- month grids ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """The part of a campaign's bar inside one week row of a month grid."""

    campaign: Campaign
    column: int  # the grid column of its first day, 1 = Monday
    span: int  # days
    lane: int  # 0 = the top lane
    starts: bool  # the campaign starts here (else it continues from an earlier day)
    ends: bool  # the campaign ends here (else it goes on)

    @property
    def style(self) -> str:
        return f"grid-column:{self.column} / span {self.span};grid-row:{self.lane + 2}"


@dataclass
class Day:
    date: date
    in_month: bool
    today: bool = False
    festivals: list[FestivalDay] = field(default_factory=list)
    peaks: list[FestivalDay] = field(default_factory=list)  # festivals whose own day this is
    campaigns: list[Campaign] = field(default_factory=list)  # running on this day
    lanes: list[Campaign | None] = field(default_factory=list)  # mini grid lines

    @property
    def span_kind(self) -> str:
        """The kind of the multi-day festival this day belongs to, for its tint."""
        return next((f.kind for f in self.festivals if f.start != f.end), "")

    @property
    def peak_kind(self) -> str:
        return self.peaks[0].kind if self.peaks else ""

    @property
    def more(self) -> int:
        """Campaigns running this day that the mini grid's lines do not show."""
        shown = sum(1 for c in self.lanes if c is not None)
        return len(self.campaigns) - shown

    @property
    def labels(self) -> list[tuple[FestivalDay, bool]]:
        """Festival names to print on the day: (festival, is its peak). A multi-day
        festival is named on its first day and, emphasised, on its peak."""
        named = [(f, True) for f in self.peaks]
        named += [
            (f, False)
            for f in self.festivals
            if f.start == self.date and f.peak != self.date and f not in self.peaks
        ]
        return named


@dataclass
class Week:
    days: list[Day]
    segments: list[Segment]
    lanes: int

    @property
    def rows_style(self) -> str:
        """The week row's grid: the day heads, one row per lane, a little air."""
        lanes = f" repeat({self.lanes}, var(--lane-h))" if self.lanes else ""
        return f"grid-template-rows:auto{lanes} minmax(0.6rem, 1fr)"


@dataclass
class MonthGrid:
    first: date
    weeks: list[Week]
    festivals: list[FestivalDay]
    campaigns: list[Campaign]
    lanes: int  # lanes the whole month needs (mini grid)

    @property
    def number(self) -> int:
        return self.first.month

    @property
    def last(self) -> date:
        return month_end(self.first)

    @property
    def quarter(self) -> int:
        return (self.first.month - 1) // 3 + 1

    @property
    def festival_days(self) -> list[tuple[date, FestivalDay]]:
        """The month's festivals by the day they are listed under: their own day when
        it falls in the month, else the first day of theirs in it."""
        listed = [
            (f.peak if self.first <= f.peak <= self.last else max(f.start, self.first), f)
            for f in self.festivals
        ]
        return sorted(listed, key=lambda pair: (pair[0], pair[1].code))


def month_grid(first: date, cal: Calendar, today: date | None = None) -> MonthGrid:
    """One month, Monday-first, with its festivals and the campaigns running in it.

    1. The weeks run from the Monday on or before the 1st to the Sunday on or after
       the last day; days of the neighbouring months are there, empty.
    2. Each campaign's bar is cut at the month's edges and at each week's edges; in a
       week the segments get lanes so that none overlap.
    3. For the mini grid (year view) lanes are kept for the whole month instead, so a
       campaign is one line across the month.
    """
    last = month_end(first)
    campaigns = cal.in_range(first, last)
    festivals = cal.festivals_in(first, last)
    month_lanes = _lanes(campaigns)
    lane_count = max(month_lanes.values(), default=-1) + 1
    shown_lanes = min(lane_count, MINI_LANES)
    start = first - timedelta(days=first.weekday())
    weeks: list[Week] = []
    while start <= last:
        days = []
        for offset in range(WEEK):
            day = start + timedelta(days=offset)
            in_month = day.month == first.month
            cell = Day(day, in_month, today=day == today)
            if in_month:
                cell.festivals = [f for f in festivals if f.start <= day <= f.end]
                cell.peaks = [f for f in cell.festivals if f.peak == day]
                cell.campaigns = [c for c in campaigns if c.start <= day <= c.end]
                cell.lanes = [None] * shown_lanes
                for c in cell.campaigns:
                    if month_lanes[c.pk] < shown_lanes:
                        cell.lanes[month_lanes[c.pk]] = c
            days.append(cell)
        week_end = start + timedelta(days=WEEK - 1)
        lo, hi = max(start, first), min(week_end, last)
        in_week = [c for c in campaigns if c.start <= hi and c.end >= lo]
        week_lanes = _lanes(in_week)
        segments = []
        for c in in_week:
            seg_start, seg_end = max(c.start, lo), min(c.end, hi)
            segments.append(
                Segment(
                    campaign=c,
                    column=(seg_start - start).days + 1,
                    span=(seg_end - seg_start).days + 1,
                    lane=week_lanes[c.pk],
                    starts=seg_start == c.start,
                    ends=seg_end == c.end,
                )
            )
        segments.sort(key=lambda s: (s.lane, s.column))
        weeks.append(Week(days, segments, max(week_lanes.values(), default=-1) + 1))
        start += timedelta(days=WEEK)
    return MonthGrid(first, weeks, festivals, campaigns, lane_count)


def year_grids(cal: Calendar, today: date | None = None) -> list[MonthGrid]:
    return [month_grid(date(cal.plan.year, m, 1), cal, today) for m in range(1, 13)]


# --- the Gantt chart --------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Span:
    """Something placed on the year's axis: ``left`` and ``width`` in percent."""

    left: float
    width: float

    @property
    def style(self) -> str:
        return f"left:{_pct(self.left)};width:{_pct(self.width)}"


@dataclass(frozen=True)
class GanttMonth:
    first: date
    span: Span


@dataclass(frozen=True)
class GanttFestival:
    festival: FestivalDay
    span: Span
    peak: float  # percent
    lane: int
    to_left: bool = False  # the label ends at the festival (near the year's end)

    @property
    def peak_style(self) -> str:
        return f"left:{_pct(self.peak)}"

    @property
    def label_style(self) -> str:
        top = f"top:calc({self.lane} * var(--fest-lane-h))"
        if self.to_left:
            return f"right:{_pct(100 - self.span.left - self.span.width)};{top}"
        return f"left:{_pct(self.span.left)};{top}"


@dataclass(frozen=True)
class GanttRow:
    campaign: Campaign
    span: Span
    before: bool  # starts before the plan year
    after: bool  # ends after it
    clashes: list[Span] = field(default_factory=list)  # days it clashes with others


@dataclass
class Gantt:
    year: int
    months: list[GanttMonth]
    festivals: list[GanttFestival]
    festival_lanes: int
    rows: list[GanttRow]
    today: float | None

    @property
    def today_style(self) -> str:
        return f"left:{_pct(self.today)}" if self.today is not None else ""

    @property
    def festivals_style(self) -> str:
        return f"height:calc({max(self.festival_lanes, 1)} * var(--fest-lane-h))"


def _label_days(name: str, day_px: float) -> int:
    """Roughly how many days of the axis a festival's label covers: CJK characters
    are about twice as wide as Latin ones at the label's size."""
    px = sum(11.5 if ord(ch) > 0x2E7F else 6.2 for ch in name) + 14
    return int(px / day_px) + 1


def gantt(cal: Calendar, today: date | None = None, track_px: float = 780) -> Gantt:
    """Positions of everything on the year's axis, in percent of the year.

    Campaigns running into the year before or after are cut at the year's edges and
    flagged. Festival labels get lanes so that their names do not overprint each
    other, estimated for a track ``track_px`` wide (the chart's usual width; it
    scrolls sideways rather than shrink below it)."""
    year = cal.plan.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    total = (last - first).days + 1

    def at(day: date) -> float:
        return (day - first).days / total * 100

    def span(start: date, end: date) -> Span:
        lo, hi = max(start, first), min(end, last)
        return Span(at(lo), ((hi - lo).days + 1) / total * 100)

    months = [
        GanttMonth(date(year, m, 1), span(date(year, m, 1), month_end(date(year, m, 1))))
        for m in range(1, 13)
    ]
    day_px = track_px / total
    placed = []
    for f in cal.festivals:
        lo, hi = max(f.start, first), min(f.end, last)
        reach = _label_days(f.name, day_px)
        to_left = (lo - first).days + reach > total
        # the days of the axis the label covers, to keep labels in a lane apart
        covers = (
            (hi - timedelta(days=reach), hi)
            if to_left
            else (lo, max(hi, lo + timedelta(days=reach)))
        )
        placed.append((covers, f, to_left))
    ends: list[date] = []
    marks = []
    for (begin, end), f, to_left in sorted(placed, key=lambda p: (p[0][0], p[1].code)):
        lane = next((n for n, taken in enumerate(ends) if taken < begin), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        peak = at(min(max(f.peak, first), last)) + 50 / total
        marks.append(GanttFestival(f, span(f.start, f.end), peak, lane, to_left))
    rows = [
        GanttRow(
            c,
            span(c.start, c.end),
            c.start < first,
            c.end > last,
            [
                span(o.start, o.end)
                for o in cal.overlaps.get(c.pk, [])
                if o.end >= first and o.start <= last
            ],
        )
        for c in cal.campaigns
    ]
    now = at(today) + 50 / total if today and first <= today <= last else None
    return Gantt(year, months, marks, len(ends), rows, now)


# --- summaries --------------------------------------------------------------------------------


def flags(
    campaigns: Iterable[Campaign], overlaps: dict[int, list[Overlap]], year: int
) -> dict[int, dict[str, object]]:
    """What to flag on each campaign that needs it: its clashes (``overlaps``, computed
    over all of the plan's campaigns) and whether it starts before or ends after the
    plan year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    found: dict[int, dict[str, object]] = {}
    for c in campaigns:
        clashes = overlaps.get(c.pk, [])
        if clashes or c.start < first or c.end > last:
            found[c.pk] = {"overlaps": clashes, "before": c.start < first, "after": c.end > last}
    return found


def campaigns_by_festival(campaigns: Sequence[Campaign]) -> dict[str, list[Campaign]]:
    found: dict[str, list[Campaign]] = {}
    for c in campaigns:
        if c.festival:
            found.setdefault(c.festival, []).append(c)
    return found
