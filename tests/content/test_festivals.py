"""The marketing festival calendar: computed dates, spans, ranges. Pure functions, no database.

Known dates were checked against lunar_python 1.4.8 and published calendars.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Solar

from content.festivals import (
    CODES,
    MAX_YEAR,
    MIN_YEAR,
    Festival,
    festivals,
    festivals_between,
    overlaps,
)

FAST = settings(max_examples=80, deadline=None)
YEARS = st.integers(MIN_YEAR, MAX_YEAR)


def by_code(year: int) -> dict[str, Festival]:
    return {f.code: f for f in festivals(year)}


def peak(year: int, code: str) -> date:
    return by_code(year)[code].peak


def lunar_of(day: date) -> tuple[int, int]:
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getMonth(), lunar.getDay()


# --------------------------------------------------------------------------- known dates


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("spring_festival", date(2024, 2, 10)),
        ("spring_festival", date(2025, 1, 29)),
        ("spring_festival", date(2026, 2, 17)),
        ("spring_festival", date(2027, 2, 6)),
        ("spring_festival", date(2028, 1, 26)),
        ("mid_autumn", date(2024, 9, 17)),
        ("mid_autumn", date(2025, 10, 6)),
        ("mid_autumn", date(2026, 9, 25)),
        ("mid_autumn", date(2027, 9, 15)),
        ("dragon_boat", date(2025, 5, 31)),
        ("dragon_boat", date(2026, 6, 19)),
        ("dragon_boat", date(2027, 6, 9)),
        ("qingming", date(2024, 4, 4)),
        ("qingming", date(2025, 4, 4)),
        ("qingming", date(2026, 4, 5)),
        ("qingming", date(2027, 4, 5)),
        ("qixi", date(2026, 8, 19)),
        ("qixi", date(2027, 8, 8)),
        ("lantern", date(2027, 2, 20)),
        ("double_ninth", date(2027, 10, 8)),
        ("laba", date(2027, 1, 15)),
        ("mothers_day", date(2025, 5, 11)),
        ("mothers_day", date(2027, 5, 9)),
        ("fathers_day", date(2025, 6, 15)),
        ("fathers_day", date(2027, 6, 20)),
    ],
)
def test_known_peak_dates(code, expected):
    assert peak(expected.year, code) == expected


def test_spring_festival_runs_from_new_years_eve_to_the_sixth_day():
    spring = by_code(2027)["spring_festival"]
    assert (spring.start, spring.peak, spring.end) == (
        date(2027, 2, 5),  # 除夕
        date(2027, 2, 6),  # 正月初一
        date(2027, 2, 11),  # 正月初六
    )


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2028, 2030, 2033])
def test_new_years_eve_is_the_last_day_of_the_twelfth_month(year):
    """腊月 has 29 or 30 days; 除夕 is whichever is last, the day before 正月初一."""
    spring = by_code(year)["spring_festival"]
    month, day = lunar_of(spring.start)
    assert abs(month) == 12 and day in (29, 30)
    assert lunar_of(spring.start + timedelta(days=1)) == (1, 1)
    assert lunar_of(spring.end) == (1, 6)
    assert (spring.end - spring.start).days + 1 == 7


def test_fixed_spans():
    f = by_code(2027)
    spans = {code: (f[code].start, f[code].peak, f[code].end) for code in f}
    assert spans["618"] == (date(2027, 6, 1), date(2027, 6, 18), date(2027, 6, 18))
    assert spans["double_11"] == (date(2027, 11, 1), date(2027, 11, 11), date(2027, 11, 11))
    assert spans["double_12"] == (date(2027, 12, 12),) * 3
    assert spans["national_day"] == (date(2027, 10, 1), date(2027, 10, 1), date(2027, 10, 7))
    assert spans["labour_day"] == (date(2027, 5, 1), date(2027, 5, 1), date(2027, 5, 5))
    assert spans["christmas"] == (date(2027, 12, 24), date(2027, 12, 25), date(2027, 12, 25))
    assert spans["new_year"] == (date(2027, 1, 1),) * 3
    assert spans["520"] == (date(2027, 5, 20),) * 3


def test_kinds():
    kinds = {f.code: f.kind for f in festivals(2027)}
    assert {c for c, k in kinds.items() if k == "commerce"} == {"618", "double_11", "double_12"}
    assert {c for c, k in kinds.items() if k == "lunar"} == {
        "laba",
        "spring_festival",
        "lantern",
        "qingming",
        "dragon_boat",
        "qixi",
        "mid_autumn",
        "double_ninth",
    }


def test_names_are_english_and_distinct():
    names = [f.name for f in festivals(2027)]
    assert len(set(names)) == len(names)
    assert by_code(2027)["spring_festival"].name == "Spring Festival"
    assert all(name.isascii() and name.strip() == name and name for name in names)


# --------------------------------------------------------------------------- every year


def test_every_year_is_well_formed():
    """All 199 years: sorted, unique codes, start ≤ peak ≤ end, peaks in the year but Laba's."""
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        year_festivals = festivals(year)
        codes = [f.code for f in year_festivals]
        assert sorted(codes) == sorted(CODES), year
        keys = [(f.start, f.end, f.code) for f in year_festivals]
        assert keys == sorted(keys), year
        for f in year_festivals:
            assert f.start <= f.peak <= f.end, (year, f)
            if f.code != "laba":
                assert f.start.year == f.end.year == year, (year, f)
        laba = by_code(year)["laba"]
        assert date(year - 1, 12, 29) <= laba.peak <= date(year, 1, 28), year
        assert laba.peak < by_code(year)["spring_festival"].start


@FAST
@given(YEARS)
def test_spring_festival_and_mid_autumn_stay_in_their_windows(year):
    assert date(year, 1, 21) <= peak(year, "spring_festival") <= date(year, 2, 20)
    assert date(year, 9, 7) <= peak(year, "mid_autumn") <= date(year, 10, 8)
    assert date(year, 4, 4) <= peak(year, "qingming") <= date(year, 4, 6)


@settings(max_examples=30, deadline=None)  # each lunar_of() computes a lunar year
@given(YEARS)
def test_lunar_festivals_fall_on_their_lunar_days(year):
    f = by_code(year)
    assert lunar_of(f["laba"].peak) == (12, 8)
    assert lunar_of(f["spring_festival"].peak) == (1, 1)
    assert lunar_of(f["lantern"].peak) == (1, 15)
    assert lunar_of(f["dragon_boat"].peak) == (5, 5)
    assert lunar_of(f["qixi"].peak) == (7, 7)
    assert lunar_of(f["mid_autumn"].peak) == (8, 15)
    assert lunar_of(f["double_ninth"].peak) == (9, 9)


@FAST
@given(YEARS)
def test_mothers_and_fathers_day_are_the_right_sundays(year):
    mothers, fathers = peak(year, "mothers_day"), peak(year, "fathers_day")
    assert mothers.weekday() == 6 and 8 <= mothers.day <= 14 and mothers.month == 5
    assert fathers.weekday() == 6 and 15 <= fathers.day <= 21 and fathers.month == 6


def test_returned_lists_are_the_callers_own():
    first = festivals(2027)
    first.clear()
    assert len(festivals(2027)) == len(CODES)


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1, 0, -5, 9999])
def test_years_outside_the_calendar_are_refused(year):
    with pytest.raises(ValueError, match="out of range"):
        festivals(year)


# --------------------------------------------------------------------------- ranges


def codes_between(start: date, end: date) -> list[str]:
    return [f.code for f in festivals_between(start, end)]


def test_between_crosses_the_year_boundary():
    codes = codes_between(date(2026, 12, 20), date(2027, 1, 10))
    assert codes == ["christmas", "new_year"]  # Double 12 was on the 12th; Laba 2027 is 15 Jan
    christmas, new_year = festivals_between(date(2026, 12, 20), date(2027, 1, 10))
    assert christmas.peak == date(2026, 12, 25) and new_year.peak == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("winter", "laba"),
    [(2024, date(2025, 1, 7)), (2027, date(2028, 1, 4)), (2022, date(2022, 12, 30))],
)
def test_between_includes_laba_in_years_when_it_is_early(winter, laba):
    found = {f.code: f for f in festivals_between(date(winter, 12, 20), date(winter + 1, 1, 10))}
    assert set(found) == {"christmas", "new_year", "laba"}
    assert found["laba"].peak == laba


def test_an_early_laba_belongs_to_the_next_year():
    """2023's Spring Festival was 22 Jan, so its Laba was 30 Dec 2022: listed once, in 2023."""
    assert by_code(2023)["laba"].peak == date(2022, 12, 30)
    assert by_code(2022)["laba"].peak == date(2022, 1, 10)
    labas_2022 = [
        f.peak for f in festivals_between(date(2022, 1, 1), date(2022, 12, 31)) if f.code == "laba"
    ]
    assert labas_2022 == [date(2022, 1, 10), date(2022, 12, 30)]


def test_between_a_whole_year_is_that_years_festivals():
    whole = festivals_between(date(2027, 1, 1), date(2027, 12, 31))
    assert whole == festivals(2027)


def test_between_includes_festivals_that_only_partly_overlap():
    assert codes_between(date(2027, 2, 11), date(2027, 2, 12)) == ["spring_festival"]
    assert codes_between(date(2027, 10, 7), date(2027, 10, 7)) == ["national_day"]
    assert codes_between(date(2027, 6, 18), date(2027, 6, 19)) == ["618"]
    assert codes_between(date(2027, 3, 9), date(2027, 4, 4)) == []


@FAST
@given(st.dates(date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)), st.integers(0, 400))
def test_between_matches_a_brute_force_search(start, length):
    end = min(start + timedelta(days=length), date(MAX_YEAR, 12, 31))
    candidates = [
        f
        for year in range(max(start.year - 1, MIN_YEAR), min(end.year + 1, MAX_YEAR) + 1)
        for f in festivals(year)
    ]
    days = {start + timedelta(days=i) for i in range((end - start).days + 1)}
    expected = [f for f in candidates if days & day_set(f.start, f.end)]
    found = festivals_between(start, end)
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    assert [(f.start, f.end, f.code) for f in found] == sorted(
        (f.start, f.end, f.code) for f in found
    )


def test_between_refuses_a_backwards_range_and_years_outside_the_calendar():
    with pytest.raises(ValueError, match="before it starts"):
        festivals_between(date(2027, 2, 1), date(2027, 1, 1))
    with pytest.raises(ValueError, match="out of range"):
        festivals_between(date(2099, 12, 20), date(2100, 1, 10))
    with pytest.raises(ValueError, match="out of range"):
        festivals_between(date(1900, 12, 20), date(1901, 1, 10))


def test_between_works_at_the_edges_of_the_calendar():
    assert "new_year" in codes_between(date(1901, 1, 1), date(1901, 1, 1))
    assert "christmas" in codes_between(date(2099, 12, 25), date(2099, 12, 31))


# --------------------------------------------------------------------------- overlaps


def day_set(start: date, end: date) -> set[date]:
    return {start + timedelta(days=i) for i in range((end - start).days + 1)}


def ranges():
    return st.tuples(st.dates(date(2026, 12, 1), date(2027, 2, 28)), st.integers(0, 40)).map(
        lambda pair: (pair[0], pair[0] + timedelta(days=pair[1]))
    )


@settings(max_examples=300, deadline=None)
@given(ranges(), ranges())
def test_overlaps_is_symmetric_and_matches_day_sets(a, b):
    result = overlaps(*a, *b)
    assert result == overlaps(*b, *a)
    assert result == bool(day_set(*a) & day_set(*b))


def test_overlaps_is_inclusive():
    d = date(2027, 1, 1)
    assert overlaps(d, d, d, d)
    assert overlaps(d, d + timedelta(days=2), d + timedelta(days=2), d + timedelta(days=5))
    assert not overlaps(d, d + timedelta(days=1), d + timedelta(days=2), d + timedelta(days=5))


def test_overlaps_refuses_backwards_ranges():
    d = date(2027, 1, 1)
    with pytest.raises(ValueError, match="before it starts"):
        overlaps(d, d - timedelta(days=1), d, d)
    with pytest.raises(ValueError, match="before it starts"):
        overlaps(d, d, d, d - timedelta(days=1))


# --------------------------------------------------------------------------- purity


def test_module_imports_only_the_standard_library_and_lunar_python():
    origin = importlib.util.find_spec("content.festivals").origin
    source = ast.parse(Path(origin).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(source):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported - set(sys.stdlib_module_names) - {"__future__"} == {"lunar_python"}
