"""Which digest period is due for a recipient, from their local time.

Pure: no Django. A digest is due once the recipient's local clock has reached their
digest hour on the period's day (daily: every day; weekly: Monday; quarterly: the
first day of a quarter). The period names the message: ``2027-03-08`` (a day),
``2027-W10`` (an ISO week), ``2027Q2`` (a quarter); with the recipient and the plan
it makes the delivery's unique key, so a period is sent at most once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

DAILY = "daily"
WEEKLY = "weekly"
QUARTERLY = "quarterly"
CADENCES = (DAILY, WEEKLY, QUARTERLY)

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


class BadPeriod(ValueError):
    """The text is not a digest period."""


def due_period(cadence: str, local: datetime, hour: int) -> str | None:
    """The period due at ``local`` (the recipient's wall-clock time), or None."""
    if cadence not in CADENCES or local.hour < hour:
        return None
    day = local.date()
    if cadence == DAILY:
        return day.isoformat()
    if cadence == WEEKLY:
        if day.weekday() != 0:
            return None
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if day.day != 1 or day.month not in (1, 4, 7, 10):
        return None
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def period_start(period: str) -> date:
    """The first day of a period: the day, the week's Monday, the quarter's first day."""
    if found := _DAY.match(period):
        return date(int(found[1]), int(found[2]), int(found[3]))
    if found := _WEEK.match(period):
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    if found := _QUARTER.match(period):
        return date(int(found[1]), 3 * int(found[2]) - 2, 1)
    raise BadPeriod(period)


def report_date(period: str) -> date:
    """The day whose dashboard the digest shows.

    A daily or weekly digest shows the quarter it is sent in; a quarterly digest,
    sent on the first day of a quarter, reviews the quarter that just ended.
    """
    start = period_start(period)
    if _QUARTER.match(period):
        return start - timedelta(days=1)
    return start
