"""Festival dates of the plan years 2025–2030, against an independent table.

The lunar dates were checked against published calendars and, independently of
``lunar_python``, against new moons and solar terms computed with Meeus'
*Astronomical Algorithms* (ch. 25 and 49, Beijing time): every row agreed. Two
dates sit close to midnight and are the ones a careless computation gets wrong:
the new moon of 6 Feb 2027 falls at about 23:56 Beijing time (so the Spring
Festival 2027 is 6 Feb, not 7 Feb) and that of 3 Feb 2030 at about 00:08.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from content import festivals, queries

YEARS = range(2025, 2031)

# code → peak per year 2025, 2026, 2027, 2028, 2029, 2030
LUNAR_PEAKS: dict[str, tuple[date, ...]] = {
    "spring_festival": (
        date(2025, 1, 29),
        date(2026, 2, 17),
        date(2027, 2, 6),
        date(2028, 1, 26),
        date(2029, 2, 13),
        date(2030, 2, 3),
    ),
    "lantern": (
        date(2025, 2, 12),
        date(2026, 3, 3),
        date(2027, 2, 20),
        date(2028, 2, 9),
        date(2029, 2, 27),
        date(2030, 2, 17),
    ),
    "qingming": (
        date(2025, 4, 4),
        date(2026, 4, 5),
        date(2027, 4, 5),
        date(2028, 4, 4),
        date(2029, 4, 4),
        date(2030, 4, 5),
    ),
    "dragon_boat": (
        date(2025, 5, 31),
        date(2026, 6, 19),
        date(2027, 6, 9),
        date(2028, 5, 28),
        date(2029, 6, 16),
        date(2030, 6, 5),
    ),
    "qixi": (
        date(2025, 8, 29),
        date(2026, 8, 19),
        date(2027, 8, 8),
        date(2028, 8, 26),
        date(2029, 8, 16),
        date(2030, 8, 5),
    ),
    "mid_autumn": (
        date(2025, 10, 6),
        date(2026, 9, 25),
        date(2027, 9, 15),
        date(2028, 10, 3),
        date(2029, 9, 22),
        date(2030, 9, 12),
    ),
    "double_ninth": (
        date(2025, 10, 29),
        date(2026, 10, 18),
        date(2027, 10, 8),
        date(2028, 10, 26),
        date(2029, 10, 16),
        date(2030, 10, 5),
    ),
}

# code → (month, day) of the peak, every year
FIXED_PEAKS: dict[str, tuple[int, int]] = {
    "new_year": (1, 1),
    "womens_day": (3, 8),
    "520": (5, 20),
    "618": (6, 18),
    "double_11": (11, 11),
    "double_12": (12, 12),
    "christmas": (12, 25),
}

LUNAR_CASES = [
    pytest.param(code, day, id=f"{code}-{day.year}")
    for code, days in LUNAR_PEAKS.items()
    for day in days
]
FIXED_CASES = [
    pytest.param(code, date(year, month, day), id=f"{code}-{year}")
    for code, (month, day) in FIXED_PEAKS.items()
    for year in YEARS
]


def by_code(year: int) -> dict[str, festivals.Festival]:
    return {f.code: f for f in festivals.festivals(year)}


def test_the_table_covers_every_year_once():
    # given the table of lunar peaks
    # then each festival has one date per year 2025..2030, in that year, in order
    for code, days in LUNAR_PEAKS.items():
        assert [d.year for d in days] == list(YEARS), code


@pytest.mark.parametrize(("code", "expected"), LUNAR_CASES)
def test_lunar_festival_peaks(code, expected):
    # when the festivals of the year are computed
    found = by_code(expected.year)[code]
    # then the peak is the published date
    assert found.peak == expected
    assert found.kind == "lunar"


@pytest.mark.parametrize(("code", "expected"), FIXED_CASES)
def test_fixed_festival_peaks(code, expected):
    found = by_code(expected.year)[code]
    assert found.peak == expected
    assert found.start <= found.peak <= found.end


@pytest.mark.parametrize("year", YEARS)
def test_spans_around_the_peaks(year):
    # given the computed festivals of a plan year
    f = by_code(year)
    # then the multi-day festivals span their conventional periods
    spring = f["spring_festival"]
    assert (spring.peak - spring.start).days == 1  # 除夕, the eve
    assert (spring.end - spring.peak).days == 5  # through 正月初六
    assert (f["618"].start, f["618"].end) == (date(year, 6, 1), date(year, 6, 18))
    assert (f["double_11"].start, f["double_11"].end) == (date(year, 11, 1), date(year, 11, 11))
    assert (f["christmas"].start, f["christmas"].end) == (date(year, 12, 24), date(year, 12, 25))
    # and the one-day festivals start and end on their peak
    for code in ("lantern", "qingming", "dragon_boat", "qixi", "mid_autumn", "double_ninth"):
        assert f[code].start == f[code].peak == f[code].end, code
    for code in ("new_year", "womens_day", "520", "double_12"):
        assert f[code].start == f[code].peak == f[code].end, code


@pytest.mark.parametrize("year", YEARS)
def test_lantern_is_fourteen_days_after_the_new_year(year):
    # 正月 has at least 29 days, so 正月十五 is always 14 days after 正月初一
    f = by_code(year)
    assert (f["lantern"].peak - f["spring_festival"].peak).days == 14


def test_festival_layer_keeps_codes_and_dates_in_every_language():
    # given the 2027 layer read in English
    with translation.override("en"):
        english = queries.festival_layer(2027)
    # then the names are the English names of the calendar
    names = {f.code: f.name for f in english}
    assert names["mid_autumn"] == "Mid-Autumn Festival"
    assert names["double_11"] == "Double 11 (Singles' Day)"
    # when it is read in Simplified Chinese
    with translation.override("zh-hans"):
        chinese = queries.festival_layer(2027)
    # then only the names may differ: codes, kinds and dates are the same, and every
    # name is a non-empty plain string (translated or not, never a lazy object)
    assert [(f.code, f.kind, f.start, f.end, f.peak) for f in chinese] == [
        (f.code, f.kind, f.start, f.end, f.peak) for f in english
    ]
    assert all(type(f.name) is str and f.name for f in chinese)
    mid_autumn = next(f for f in chinese if f.code == "mid_autumn")
    assert mid_autumn.peak == date(2027, 9, 15)


def test_festival_layer_is_the_computed_calendar():
    # the layer is the computed calendar, one entry per code, nothing typed in
    layer = queries.festival_layer(2027)
    assert [f.code for f in layer] == [f.code for f in festivals.festivals(2027)]
    assert sorted(f.code for f in layer) == sorted(festivals.CODES)
