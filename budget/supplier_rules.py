"""Supplier rules as pure computation: the weighted review score, the tier from
qualification, capability and past performance, and the runs of failed reviews.

No Django here (import-linter's "pure computation" contract): numbers in, numbers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STRATEGIC = "strategic"
PRIORITY = "priority"
BASIC = "basic"

ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Weights:
    """How much quality, timeliness and compliance count (fractions summing to 1)."""

    quality: Decimal
    timeliness: Decimal
    compliance: Decimal

    def total(self) -> Decimal:
        return self.quality + self.timeliness + self.compliance


def weighted_score(
    quality: Decimal | int, timeliness: Decimal | int, compliance: Decimal | int, weights: Weights
) -> Decimal:
    """Σ weight × score (each score 0–100), rounded half up to one decimal."""
    score = (
        Decimal(quality) * weights.quality
        + Decimal(timeliness) * weights.timeliness
        + Decimal(compliance) * weights.compliance
    )
    return score.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def passes(score: Decimal, pass_mark: Decimal | int) -> bool:
    """A review passes when its weighted score reaches the pass mark (inclusive)."""
    return score >= Decimal(pass_mark)


def performance(scores: Sequence[Decimal]) -> Decimal | None:
    """Past performance: the average of the recent weighted scores (None without any)."""
    if not scores:
        return None
    mean = sum(scores, Decimal(0)) / len(scores)
    return mean.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def derive_tier(
    qualification: int,
    capability: int,
    past_performance: Decimal | None,
    *,
    strategic_min: int,
    priority_min: int,
) -> str:
    """The highest tier whose cut-off each of the three scores reaches (inclusive).

    Strategic: qualification, capability and past performance all ≥ ``strategic_min``.
    Priority: all ≥ ``priority_min``. Otherwise basic. A supplier without any review has
    no track record: its two other scores decide, but it can be priority at most.
    """
    scores: list[Decimal] = [Decimal(qualification), Decimal(capability)]
    if past_performance is not None:
        scores.append(Decimal(past_performance))
    lowest = min(scores)
    if past_performance is not None and lowest >= strategic_min:
        return STRATEGIC
    if lowest >= priority_min:
        return PRIORITY
    return BASIC


@dataclass(frozen=True)
class Run:
    """Consecutive failed reviews: their periods in order (``periods[N-1]`` raised a flag)."""

    periods: tuple[int, ...]

    @property
    def length(self) -> int:
        return len(self.periods)


def failure_runs(results: Sequence[tuple[int, bool]]) -> list[Run]:
    """The maximal runs of failed reviews in period order.

    ``results`` are (period, passed) pairs, in any order; a pass ends a run.
    """
    runs: list[Run] = []
    current: list[int] = []
    for period, passed in sorted(results):
        if passed:
            if current:
                runs.append(Run(tuple(current)))
            current = []
        else:
            current.append(period)
    if current:
        runs.append(Run(tuple(current)))
    return runs


def trailing_streak(results: Sequence[tuple[int, bool]]) -> int:
    """How many of the latest reviews failed in a row (0 when the latest passed)."""
    runs = failure_runs(results)
    if not runs or not results:
        return 0
    last_period = max(period for period, _passed in results)
    return runs[-1].length if runs[-1].periods[-1] == last_period else 0


def first_flagging_run(
    results: Sequence[tuple[int, bool]], limit: int, *, after: int | None = None
) -> Run | None:
    """The first run of at least ``limit`` failures among the reviews after period
    ``after`` (all reviews when None): the one a flag is raised for."""
    counted = [(p, ok) for p, ok in results if after is None or p > after]
    for run in failure_runs(counted):
        if run.length >= limit:
            return run
    return None
