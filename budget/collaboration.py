"""Pure rules of cross-department collaboration (no Django): the RACI rules of a
workstream, the collaboration score and the SLA of an arbitration step.

Numbers and plain values in, numbers and plain values out; the services in
``budget/team_services.py`` load the rows, call these and store the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

RESPONSIBLE = "R"
ACCOUNTABLE = "A"
CONSULTED = "C"
INFORMED = "I"
RACI_LETTERS = (RESPONSIBLE, ACCOUNTABLE, CONSULTED, INFORMED)

#: The criteria a manager rates each department on (1–5 each) and their weights (Σ = 100).
CRITERIA: tuple[tuple[str, int], ...] = (
    ("responsiveness", 25),
    ("delivery", 35),
    ("communication", 20),
    ("conflict_handling", 20),
)
RATING_MIN = 1
RATING_MAX = 5
SCORE_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class RaciProblems:
    """What is wrong with one workstream's cells (all empty: the cells are valid)."""

    unknown: tuple[str, ...] = ()  # letters that are not R, A, C or I
    accountable: int = 0  # how many A there are (exactly one is right)
    responsible: int = 0  # how many R there are (at least one is right)

    @property
    def ok(self) -> bool:
        return not self.unknown and self.accountable == 1 and self.responsible >= 1


def check_raci(letters: Iterable[str]) -> RaciProblems:
    """Check a workstream's letters as a whole: exactly one A, at least one R, and
    nothing but R / A / C / I (an empty cell is not passed in)."""
    values = list(letters)
    return RaciProblems(
        unknown=tuple(sorted({v for v in values if v not in RACI_LETTERS})),
        accountable=sum(1 for v in values if v == ACCOUNTABLE),
        responsible=sum(1 for v in values if v == RESPONSIBLE),
    )


def raci_load(cells: Iterable[tuple[object, str]]) -> dict[object, dict[str, int]]:
    """``{department: {"R": n, "A": n, "C": n, "I": n}}`` from (department, letter) pairs."""
    load: dict[object, dict[str, int]] = {}
    for department, letter in cells:
        counts = load.setdefault(department, dict.fromkeys(RACI_LETTERS, 0))
        if letter in counts:
            counts[letter] += 1
    return load


def bad_ratings(ratings: Mapping[str, object]) -> list[str]:
    """The criteria whose rating is missing or not a whole number from 1 to 5."""
    bad = []
    for name, _weight in CRITERIA:
        value = ratings.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not RATING_MIN <= value <= RATING_MAX
        ):
            bad.append(name)
    return bad


def collaboration_score(ratings: Mapping[str, int]) -> Decimal:
    """The weighted score on 0–100: each rating is placed on 0–1 (1 → 0, 5 → 1),
    weighted, summed, and rounded half up to one decimal.

    All 1 → 0.0, all 5 → 100.0, all 3 → 50.0.
    """
    problems = bad_ratings(ratings)
    if problems:
        raise ValueError(f"ratings must be whole numbers 1–5: {', '.join(problems)}")
    span = RATING_MAX - RATING_MIN
    total = sum(
        (Decimal(weight) * (ratings[name] - RATING_MIN) / span for name, weight in CRITERIA),
        Decimal(0),
    )
    return total.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def due_at(since: datetime, sla_hours: int) -> datetime:
    """When a conflict that reached a step at ``since`` must be decided."""
    return since + timedelta(hours=sla_hours)


def is_overdue(since: datetime | None, sla_hours: int | None, now: datetime) -> bool:
    """An open conflict is overdue once its current step's SLA has passed."""
    if since is None or sla_hours is None:
        return False
    return now > due_at(since, sla_hours)
