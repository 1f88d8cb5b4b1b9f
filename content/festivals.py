"""The year's marketing festival calendar (节日营销日历): computed, never typed.

The campaign calendar shows these festivals as a layer, and campaigns are planned around them.
Every date is computed from the year — lunar festivals with ``lunar_python``, Qingming from
its solar term, the rest by rule — so there is no table to keep up to date. This module is
pure computation (standard library and ``lunar_python`` only; an import-linter contract keeps
it that way): no Django, no database.

The festivals
-------------
``kind`` groups them the way a Chinese marketing team thinks of them:

* ``"lunar"`` — traditional Chinese festivals, dated by the Chinese calendar (农历): its
  months and days, or, for Qingming, its solar terms (节气).
* ``"solar"`` — days on the Gregorian calendar: public, international and gifting days.
* ``"commerce"`` — the e-commerce shopping festivals (电商大促).

========================  ========  ========================================================
code                      kind      span (``start`` – ``end``, inclusive); ``peak``
========================  ========  ========================================================
``new_year``              solar     1 Jan 元旦
``laba``                  lunar     腊月初八 腊八节, the Laba *before this year's* Spring
                                    Festival (see below)
``spring_festival``       lunar     除夕 – 正月初六 春节 (7 days); peak 正月初一
``valentines``            solar     14 Feb 情人节
``lantern``               lunar     正月十五 元宵节
``womens_day``            solar     8 Mar 妇女节 (女神节)
``qingming``              lunar     the day of the solar term 清明 (4, 5 or 6 Apr)
``labour_day``            solar     1 – 5 May 劳动节; peak 1 May
``mothers_day``           solar     the second Sunday of May 母亲节
``520``                   solar     20 May 520 (“我爱你”), the online Valentine's Day
``children_day``          solar     1 Jun 儿童节
``618``                   commerce  1 – 18 Jun 618 年中大促; peak 18 Jun
``dragon_boat``           lunar     五月初五 端午节
``fathers_day``           solar     the third Sunday of June 父亲节
``qixi``                  lunar     七月初七 七夕 (Chinese Valentine's Day)
``mid_autumn``            lunar     八月十五 中秋节
``national_day``          solar     1 – 7 Oct 国庆黄金周; peak 1 Oct
``double_ninth``          lunar     九月初九 重阳节
``double_11``             commerce  1 – 11 Nov 双11 (Singles' Day); peak 11 Nov
``double_12``             commerce  12 Dec 双12
``christmas``             solar     24 – 25 Dec 平安夜 and 圣诞节; peak 25 Dec
========================  ========  ========================================================

A festival without a span is one day: ``start == peak == end``. ``peak`` is always the
festival's own day: 正月初一 for the Spring Festival (除夕 is its eve), 八月十五 for
Mid-Autumn, 18 Jun for 618, 11 Nov for Double 11.

Spans are conventions, not holiday schedules. The State Council publishes the public
holidays (放假安排) and make-up working days every year, merges holidays that meet (when
Mid-Autumn falls in National Day week, for example) and has changed their lengths before;
none of that is modelled here. The Spring Festival is 除夕 through 正月初六, the seven days
of its usual golden week; National Day is its golden week, 1 – 7 October; Labour Day is the
five-day May Day break usual since 2020. The shopping festivals are their main sales
periods: 618 from 1 June, Double 11 from 1 November (platforms start pre-sales earlier, and
on dates of their own choosing each year), Double 12 the day itself.

Deliberately left out: “Singles' Day” is Double 11 (光棍节 is 11 November), not a second
entry; “back to school” (开学季) is a season with no agreed date; platform festivals with
moving, platform-set dates (年货节, 99划算节) are not computable.

Which year a festival belongs to
--------------------------------
:func:`festivals` returns each festival once per year, with its peak in that year — except
Laba. Laba (腊八, the 8th day of the 12th lunar month) opens the run-up to the Spring Festival
(年货 shopping), so ``festivals(year)`` has the Laba *before that year's Spring Festival*.
It falls between 29 December of the year before and 28 January, so in years when the Spring
Festival is early its ``start`` is in the previous December (2023: 2022-12-30). This way no
Laba is listed twice or lost: in some years (2022, 2041, …) two Labas fall in the same
Gregorian year, and in others (2023, 2042, …) none. Use :func:`festivals_between` to ask
for whatever touches a date range, across year boundaries.

Years
-----
``lunar_python`` computes the Chinese calendar astronomically and accepts almost any year,
but the calendar it reproduces — Beijing time (UTC+8), the rules of GB/T 33661-2017 — is the
one in use since 1929, and published reference tables (the Hong Kong Observatory's, for
example) cover 1901 – 2100. Years 1901 – 2099 are accepted, others raise :class:`ValueError`.

Names are English, wrapped in :func:`gettext_noop` where they are written so
``makemessages`` extracts them; they are translated at the Django boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

from lunar_python import Lunar

__all__ = [
    "CODES",
    "MAX_YEAR",
    "MIN_YEAR",
    "Festival",
    "Kind",
    "festivals",
    "festivals_between",
    "gettext_noop",
    "overlaps",
]

MIN_YEAR = 1901
MAX_YEAR = 2099

Kind = Literal["lunar", "solar", "commerce"]

#: Every festival code, in no particular order; codes are stable (stored and used in URLs).
CODES: tuple[str, ...] = (
    "new_year",
    "laba",
    "spring_festival",
    "valentines",
    "lantern",
    "womens_day",
    "qingming",
    "labour_day",
    "mothers_day",
    "520",
    "children_day",
    "618",
    "dragon_boat",
    "fathers_day",
    "qixi",
    "mid_autumn",
    "national_day",
    "double_ninth",
    "double_11",
    "double_12",
    "christmas",
)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged.

    A no-op of the same name as Django's, which ``makemessages`` already extracts:
    this module is pure and cannot import Django, so the text is translated at the
    Django boundary (:mod:`kpis.messages`). It must wrap the literal itself.
    """
    return message


@dataclass(frozen=True)
class Festival:
    """One festival in one year; ``start`` ≤ ``peak`` ≤ ``end``, all inclusive."""

    code: str
    name: str
    kind: Kind
    start: date
    end: date
    peak: date


# --------------------------------------------------------------------------- computing dates


def _date(solar: Any) -> date:
    """A ``lunar_python`` ``Solar`` as a :class:`datetime.date`."""
    return date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))


def _lunar(lunar_year: int, month: int, day: int) -> date:
    """The Gregorian date of ``day`` of (non-leap) ``month`` of ``lunar_year``."""
    return _date(Lunar.fromYmd(lunar_year, month, day).getSolar())


def _qingming(year: int) -> date:
    """The day of the solar term 清明 in ``year`` (the jieqi table of lunar ``year``)."""
    return _date(Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"])


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + timedelta(weeks=n - 1)


def _day(code: str, name: str, kind: Kind, day: date) -> Festival:
    return Festival(code=code, name=name, kind=kind, start=day, end=day, peak=day)


def _span(code: str, name: str, kind: Kind, start: date, end: date, peak: date) -> Festival:
    return Festival(code=code, name=name, kind=kind, start=start, end=end, peak=peak)


def _sort_key(festival: Festival) -> tuple[date, date, str]:
    return festival.start, festival.end, festival.code


@lru_cache(maxsize=256)
def _festival_year(year: int) -> tuple[Festival, ...]:
    """The festivals of ``year``, sorted, without the range check (the edges need 1900/2100)."""
    # Laba first: lunar_python caches one lunar year, and every other lunar date is in ``year``.
    laba = _lunar(year - 1, 12, 8)
    new_year_day = _lunar(year, 1, 1)  # 正月初一
    d = date
    result = [
        _day("new_year", gettext_noop("New Year's Day"), "solar", d(year, 1, 1)),
        _day("laba", gettext_noop("Laba Festival"), "lunar", laba),
        _span(
            "spring_festival",
            gettext_noop("Spring Festival"),
            "lunar",
            new_year_day - timedelta(days=1),  # 除夕: the last day of 腊月, 29th or 30th
            new_year_day + timedelta(days=5),  # 正月初六
            new_year_day,
        ),
        _day("valentines", gettext_noop("Valentine's Day"), "solar", d(year, 2, 14)),
        _day("lantern", gettext_noop("Lantern Festival"), "lunar", _lunar(year, 1, 15)),
        _day("womens_day", gettext_noop("Women's Day"), "solar", d(year, 3, 8)),
        _day("qingming", gettext_noop("Qingming Festival"), "lunar", _qingming(year)),
        _span(
            "labour_day",
            gettext_noop("Labour Day"),
            "solar",
            d(year, 5, 1),
            d(year, 5, 5),
            d(year, 5, 1),
        ),
        _day("mothers_day", gettext_noop("Mother's Day"), "solar", _nth_sunday(year, 5, 2)),
        _day("520", gettext_noop("520 Love Day"), "solar", d(year, 5, 20)),
        _day("children_day", gettext_noop("Children's Day"), "solar", d(year, 6, 1)),
        _span(
            "618",
            gettext_noop("618 Shopping Festival"),
            "commerce",
            d(year, 6, 1),
            d(year, 6, 18),
            d(year, 6, 18),
        ),
        _day("dragon_boat", gettext_noop("Dragon Boat Festival"), "lunar", _lunar(year, 5, 5)),
        _day("fathers_day", gettext_noop("Father's Day"), "solar", _nth_sunday(year, 6, 3)),
        _day("qixi", gettext_noop("Qixi Festival"), "lunar", _lunar(year, 7, 7)),
        _day("mid_autumn", gettext_noop("Mid-Autumn Festival"), "lunar", _lunar(year, 8, 15)),
        _span(
            "national_day",
            gettext_noop("National Day"),
            "solar",
            d(year, 10, 1),
            d(year, 10, 7),
            d(year, 10, 1),
        ),
        _day("double_ninth", gettext_noop("Double Ninth Festival"), "lunar", _lunar(year, 9, 9)),
        _span(
            "double_11",
            gettext_noop("Double 11 (Singles' Day)"),
            "commerce",
            d(year, 11, 1),
            d(year, 11, 11),
            d(year, 11, 11),
        ),
        _day("double_12", gettext_noop("Double 12"), "commerce", d(year, 12, 12)),
        _span(
            "christmas",
            gettext_noop("Christmas"),
            "solar",
            d(year, 12, 24),
            d(year, 12, 25),
            d(year, 12, 25),
        ),
    ]
    return tuple(sorted(result, key=_sort_key))


# --------------------------------------------------------------------------- public API


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range ({MIN_YEAR}–{MAX_YEAR})")


def festivals(year: int) -> list[Festival]:
    """The marketing festivals of ``year``, sorted by start (then end, then code).

    Each code appears once. Every festival's peak is in ``year``, except Laba's, which is
    the Laba before this year's Spring Festival and may be in December of the year before
    (see the module docstring). Raises :class:`ValueError` outside 1901 – 2099.
    """
    _check_year(year)
    return list(_festival_year(year))


def festivals_between(start: date, end: date) -> list[Festival]:
    """Every festival whose ``[start, end]`` overlaps the inclusive range ``[start, end]``.

    Works across year boundaries (20 Dec – 10 Jan has Christmas and New Year's Day), sorted
    by start (then end, then code). Raises :class:`ValueError` if ``end`` is before
    ``start`` or either date's year is outside 1901 – 2099.
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    _check_year(start.year)
    _check_year(end.year)
    found = [
        festival
        # A festival year reaches back into the previous December (Laba) at most; one year
        # either side is a margin.
        for year in range(start.year - 1, end.year + 2)
        for festival in _festival_year(year)
        if overlaps(festival.start, festival.end, start, end)
    ]
    return sorted(found, key=_sort_key)


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether the inclusive ranges ``[a_start, a_end]`` and ``[b_start, b_end]`` share a day.

    Raises :class:`ValueError` if either range ends before it starts.
    """
    if a_end < a_start or b_end < b_start:
        raise ValueError("a date range cannot end before it starts")
    return a_start <= b_end and b_start <= a_end
