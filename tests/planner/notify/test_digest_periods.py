"""Which digest period is due, per cadence and in the recipient's own time zone (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from planner.notify import periods

NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("cadence", "local", "hour", "expected"),
    [
        ("daily", datetime(2027, 3, 10, 8, 0, tzinfo=SH), 8, "2027-03-10"),
        ("daily", datetime(2027, 3, 10, 7, 59, tzinfo=SH), 8, None),
        ("daily", datetime(2027, 3, 10, 23, 45, tzinfo=SH), 8, "2027-03-10"),
        ("weekly", datetime(2027, 3, 8, 9, 0, tzinfo=SH), 8, "2027-W10"),  # a Monday
        ("weekly", datetime(2027, 3, 9, 9, 0, tzinfo=SH), 8, None),  # Tuesday
        ("weekly", datetime(2027, 1, 4, 8, 0, tzinfo=SH), 8, "2027-W01"),
        # the ISO week of that Monday: 2026 has 53 weeks
        ("weekly", datetime(2026, 12, 28, 8, 0, tzinfo=SH), 8, "2026-W53"),
        ("quarterly", datetime(2027, 4, 1, 8, 0, tzinfo=SH), 8, "2027Q2"),
        ("quarterly", datetime(2027, 1, 1, 0, 0, tzinfo=SH), 0, "2027Q1"),
        ("quarterly", datetime(2027, 4, 2, 8, 0, tzinfo=SH), 8, None),
        ("quarterly", datetime(2027, 5, 1, 8, 0, tzinfo=SH), 8, None),
        ("none", datetime(2027, 4, 1, 8, 0, tzinfo=SH), 8, None),
    ],
)
def test_due_period_per_cadence(cadence, local, hour, expected):
    assert periods.due_period(cadence, local, hour) == expected


def test_the_same_instant_is_a_different_local_day_in_new_york_and_shanghai():
    instant = datetime(2027, 3, 8, 1, 30, tzinfo=UTC)  # Mon 09:30 Shanghai, Sun 20:30 NY
    assert periods.due_period("daily", instant.astimezone(SH), 8) == "2027-03-08"
    assert periods.due_period("daily", instant.astimezone(NY), 8) == "2027-03-07"
    assert periods.due_period("weekly", instant.astimezone(SH), 8) == "2027-W10"
    assert periods.due_period("weekly", instant.astimezone(NY), 8) is None  # still Sunday
    # twelve hours later it is Monday 08:30 in New York (UTC-5): its week starts too
    later = datetime(2027, 3, 8, 13, 30, tzinfo=UTC)
    assert periods.due_period("weekly", later.astimezone(NY), 8) == "2027-W10"


@pytest.mark.parametrize(
    ("period", "start", "report"),
    [
        ("2027-03-10", date(2027, 3, 10), date(2027, 3, 10)),
        ("2027-W10", date(2027, 3, 8), date(2027, 3, 8)),
        ("2027Q2", date(2027, 4, 1), date(2027, 3, 31)),  # reviews the quarter just ended
    ],
)
def test_period_start_and_report_date(period, start, report):
    assert periods.period_start(period) == start
    assert periods.report_date(period) == report


@pytest.mark.parametrize("text", ["", "2027", "2027-W", "2027Q5", "10/03/2027"])
def test_bad_periods_are_refused(text):
    with pytest.raises(periods.BadPeriod):
        periods.period_start(text)
