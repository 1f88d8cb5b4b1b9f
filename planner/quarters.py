"""Quarters of a plan year: parsing ``2027Q1``, the default quarter and date windows.

Pure: no Django, so the rules are tested without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")

# How far ahead the dashboard looks for campaigns and festivals.
UPCOMING_DAYS = 42


class BadQuarter(ValueError):
    """The text is not a quarter of the plan's year (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1–4

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def months(self) -> tuple[int, int, int]:
        first = 3 * self.number - 2
        return (first, first + 1, first + 2)


def parse(text: str, *, plan_year: int) -> Quarter:
    """``2027Q1`` (also ``2027-Q1``, ``2027q1``) → Quarter; the year must be the plan's.

    Raises :class:`BadQuarter` with ``reason`` "format" or "year".
    """
    found = _PATTERN.match(text or "")
    if not found:
        raise BadQuarter("format")
    year, number = int(found.group(1)), int(found.group(2))
    if year != plan_year:
        raise BadQuarter("year")
    return Quarter(year, number)


def default(plan_year: int, today: date) -> Quarter:
    """The current quarter of the plan's year; Q1 before the year starts, Q4 after it."""
    if today.year < plan_year:
        return Quarter(plan_year, 1)
    if today.year > plan_year:
        return Quarter(plan_year, 4)
    return Quarter(plan_year, (today.month - 1) // 3 + 1)


def upcoming_window(quarter: Quarter, today: date, days: int = UPCOMING_DAYS) -> tuple[date, date]:
    """From today when today falls in the quarter, else from the quarter's start; ``days``
    long (inclusive of both ends)."""
    start = today if quarter.start <= today <= quarter.end else quarter.start
    return start, start + timedelta(days=days - 1)
