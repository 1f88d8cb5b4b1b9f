"""Access cases of the content section, one module per part of it."""

from __future__ import annotations

from tests.access_cases import Case
from tests.content import access_api, access_calendar, access_creative, access_interaction

CASES: list[Case] = [
    *access_calendar.CASES,
    *access_creative.CASES,
    *access_interaction.CASES,
    *access_api.CASES,
]
