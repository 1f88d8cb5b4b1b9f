"""Channel ABC grading and the suggested budget shift.

Every channel of a plan is scored on its year-to-date totals — conversions, clicks, spend
and, where known, retention (the share of users still active, 0–1) — and graded A, B or C.
New users are carried along for display but not scored.

Components (each 0–100, higher is better)
-----------------------------------------
User quality
    From CVR (conversions ÷ clicks) and retention. CVR score = 100 × the channel's CVR ÷ the
    best CVR among the graded channels; retention score likewise among the channels whose
    retention is known. Quality = (1 − ``retention_share``) × CVR score + ``retention_share``
    × retention score (half and half by default). A channel whose retention is not known is
    judged on CVR alone — a missing retention neither helps nor hurts it — and a channel
    without clicks (no CVR) on retention alone. With neither, quality is not scored.
Cost
    From CPA (spend ÷ conversions), lower is better: 100 × the best CPA ÷ the channel's CPA,
    the best being the lowest CPA among graded channels that have both spend and conversions.
    A channel with conversions but no spend scores 100; a channel with spend but no
    conversions scores 0, the worst.
Volume
    The channel's share of the graded channels' conversions, scored 100 × its conversions ÷
    the largest channel's conversions.

Why "relative to the best" and not rank or min-max: the score says how far a channel is from
the plan's best channel (a CPA twice the best scores 50), so it is meaningful with one
channel (which is its own best, 100) or two, and two channels that are nearly equal get
nearly equal scores. Rank and min-max scoring would give 100 and 0 to two channels whose CPA
differs by a cent. Equal values always get equal scores. When every channel is at 0 (no
conversions anywhere) the component is 0 for all of them.

Not graded: a channel with neither spend nor conversions — there is nothing to judge. It is
left out of the comparison, gets no grade and no budget shift.

Total and grade
---------------
Component scores are rounded to 2 decimals; the total is the weighted mean of the scored
components with the configured weights (non-negative, normalised to sum to 1), rounded to 2
decimals. A component that is not scored is left out and the other weights are normalised
again. Grade A when the total is at least cut-off ``a`` (70), B when at least ``b`` (40),
otherwise C.

Budget shift
------------
A suggestion, in money (:class:`~decimal.Decimal`, to the cent): each C channel gives up
``max_shift`` (20%) of its spend, rounded down to the cent so it never gives more; the pool
goes to the A channels in proportion to their total score (rounded down to the cent, the
remaining cents to the A channel receiving the most). B channels and channels that are not
graded keep their budget. The shifts add up to exactly 0; with no A channel or no C channel
nothing moves.

Pure Python: no Django, no database (see :mod:`monitoring.analytics`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from typing import Literal

__all__ = [
    "DEFAULT_CUTOFFS",
    "DEFAULT_WEIGHTS",
    "NOT_GRADED",
    "ChannelGrade",
    "ChannelTotals",
    "Cutoffs",
    "Grade",
    "Weights",
    "budget_shift",
    "grade_channels",
]

Grade = Literal["A", "B", "C"]
CENT = Decimal("0.01")
NOT_GRADED = "no spend and no conversions"


def _money(value: Decimal | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"spend must be a finite amount, got {value}")
    return Decimal(str(value))


@dataclass(frozen=True)
class ChannelTotals:
    """A channel's year-to-date totals. Counts and spend are 0 or more; retention 0–1 or None
    (not known)."""

    code: str
    conversions: float
    clicks: float
    spend: Decimal | float
    new_users: float = 0.0
    retention: float | None = None

    def __post_init__(self) -> None:
        for name in ("conversions", "clicks", "new_users"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{self.code}: {name} must be 0 or more, got {value}")
        spend = _money(self.spend)
        if not spend >= 0:
            raise ValueError(f"{self.code}: spend must be 0 or more, got {spend}")
        object.__setattr__(self, "spend", spend)
        if self.retention is not None and not 0 <= self.retention <= 1:
            raise ValueError(f"{self.code}: retention is a share from 0 to 1, got {self.retention}")


@dataclass(frozen=True)
class Weights:
    """Weights of the three components: non-negative, at least one above 0; normalised
    (divided by their sum) when used."""

    quality: float = 0.4
    cost: float = 0.4
    volume: float = 0.2

    def __post_init__(self) -> None:
        values = (self.quality, self.cost, self.volume)
        if not all(math.isfinite(v) and v >= 0 for v in values):
            raise ValueError(f"weights must be 0 or more, got {values}")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be above 0")

    def normalised(self) -> Weights:
        """The same weights divided by their sum, so they add up to 1."""
        total = self.quality + self.cost + self.volume
        return Weights(self.quality / total, self.cost / total, self.volume / total)


@dataclass(frozen=True)
class Cutoffs:
    """Grade A from a total of ``a``, B from ``b``, C below; 0 ≤ b ≤ a ≤ 100."""

    a: float = 70.0
    b: float = 40.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.a) and math.isfinite(self.b) and 0 <= self.b <= self.a <= 100):
            raise ValueError(f"cut-offs must satisfy 0 ≤ b ≤ a ≤ 100, got a={self.a}, b={self.b}")

    def grade(self, total: float) -> Grade:
        """A, B or C for a total score."""
        return "A" if total >= self.a else "B" if total >= self.b else "C"


DEFAULT_WEIGHTS = Weights()
DEFAULT_CUTOFFS = Cutoffs()


@dataclass(frozen=True)
class ChannelGrade:
    """A channel's measures, component scores (0–100, None when not scored), total and grade.

    ``cvr`` is None without clicks, ``cpa`` None without conversions, ``share`` (of the graded
    channels' conversions) None when the channel is not graded. ``grade`` and ``total`` are
    None for a channel that is not graded, and ``reason`` then says why.
    """

    code: str
    spend: Decimal
    conversions: float
    clicks: float
    new_users: float
    retention: float | None
    cvr: float | None
    cpa: float | None
    share: float | None
    quality: float | None = None
    cost: float | None = None
    volume: float | None = None
    total: float | None = None
    grade: Grade | None = None
    reason: str = field(default="")

    @property
    def graded(self) -> bool:
        return self.grade is not None


def _relative(value: float, best: float) -> float:
    """100 × value ÷ best for higher-is-better measures; 0 when the best is 0."""
    return 100.0 * value / best if best > 0 else 0.0


def _quality(
    cvr: float | None,
    retention: float | None,
    best_cvr: float,
    best_retention: float,
    retention_share: float,
) -> float | None:
    cvr_score = None if cvr is None else _relative(cvr, best_cvr)
    retention_score = None if retention is None else _relative(retention, best_retention)
    if cvr_score is None:
        return retention_score
    if retention_score is None:
        return cvr_score
    return (1 - retention_share) * cvr_score + retention_share * retention_score


def _cost(spend: Decimal, conversions: float, best_cpa: float | None) -> float:
    if conversions == 0:
        return 0.0  # spend without a single conversion: the worst cost
    if spend == 0:
        return 100.0  # conversions for free
    assert best_cpa is not None  # this channel has spend and conversions, so a best exists
    return 100.0 * best_cpa / (float(spend) / conversions)


def grade_channels(
    channels: Sequence[ChannelTotals],
    weights: Weights = DEFAULT_WEIGHTS,
    cutoffs: Cutoffs = DEFAULT_CUTOFFS,
    retention_share: float = 0.5,
) -> list[ChannelGrade]:
    """Score and grade the plan's channels against each other, in the order given.

    Definitions are in the module docstring. Channel codes must be unique;
    ``retention_share`` (0–1) is retention's part of the quality score when retention is
    known.
    """
    if not 0 <= retention_share <= 1:
        raise ValueError(f"retention_share must be from 0 to 1, got {retention_share}")
    codes = [c.code for c in channels]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"channel(s) {repeated} appear more than once")
    w = weights.normalised()

    def is_graded(c: ChannelTotals) -> bool:
        return c.conversions > 0 or _money(c.spend) > 0

    graded = [c for c in channels if is_graded(c)]
    cvrs = [c.conversions / c.clicks for c in graded if c.clicks > 0]
    retentions = [c.retention for c in graded if c.retention is not None]
    cpas = [float(_money(c.spend)) / c.conversions for c in graded if c.conversions > 0]
    paid_cpas = [v for v in cpas if v > 0]
    best_cvr = max(cvrs, default=0.0)
    best_retention = max(retentions, default=0.0)
    best_cpa = min(paid_cpas, default=None)
    most_conversions = max((c.conversions for c in graded), default=0.0)
    all_conversions = sum(c.conversions for c in graded)

    result: list[ChannelGrade] = []
    for c in channels:
        spend = _money(c.spend)
        cvr = c.conversions / c.clicks if c.clicks > 0 else None
        cpa = float(spend) / c.conversions if c.conversions > 0 else None
        base = ChannelGrade(
            code=c.code,
            spend=spend,
            conversions=c.conversions,
            clicks=c.clicks,
            new_users=c.new_users,
            retention=c.retention,
            cvr=cvr,
            cpa=cpa,
            share=None,
        )
        if not is_graded(c):
            result.append(replace(base, reason=NOT_GRADED))
            continue
        quality = _quality(cvr, c.retention, best_cvr, best_retention, retention_share)
        scores = {
            "quality": None if quality is None else round(quality, 2),
            "cost": round(_cost(spend, c.conversions, best_cpa), 2),
            "volume": round(_relative(c.conversions, most_conversions), 2),
        }
        weight = {"quality": w.quality, "cost": w.cost, "volume": w.volume}
        used = {k: v for k, v in scores.items() if v is not None and weight[k] > 0}
        weight_sum = sum(weight[k] for k in used)
        share = c.conversions / all_conversions if all_conversions > 0 else 0.0
        if weight_sum == 0:
            result.append(
                replace(
                    base,
                    share=share,
                    quality=scores["quality"],
                    cost=scores["cost"],
                    volume=scores["volume"],
                    reason="no weighted component could be scored",
                )
            )
            continue
        total = round(sum(weight[k] * v for k, v in used.items()) / weight_sum, 2)
        result.append(
            replace(
                base,
                share=share,
                quality=scores["quality"],
                cost=scores["cost"],
                volume=scores["volume"],
                total=total,
                grade=cutoffs.grade(total),
            )
        )
    return result


def budget_shift(grades: Sequence[ChannelGrade], max_shift: float = 0.2) -> dict[str, Decimal]:
    """Suggested change of each channel's budget, by channel code, to the cent.

    C channels give ``max_shift`` (0–1) of their spend, rounded down to the cent; A channels
    share the pool in proportion to their total score (rounded down to the cent, the
    remaining cents to the largest receiver; between equal receivers, the first listed);
    everyone else gets 0. The values add up to exactly 0.
    """
    if not 0 <= max_shift <= 1:
        raise ValueError(f"max_shift must be from 0 to 1, got {max_shift}")
    shifts = {g.code: Decimal("0.00") for g in grades}
    receivers = [g for g in grades if g.grade == "A"]
    givers = [g for g in grades if g.grade == "C"]
    if not receivers or not givers:
        return shifts
    fraction = Decimal(str(max_shift))
    pool = Decimal("0.00")
    for g in givers:
        give = (g.spend * fraction).quantize(CENT, rounding=ROUND_DOWN)
        shifts[g.code] = -give if give else Decimal("0.00")
        pool += give
    if pool == 0:
        return shifts
    scores = [Decimal(str(g.total or 0)) for g in receivers]
    score_sum = sum(scores, Decimal(0))
    parts = (
        [s / score_sum for s in scores]
        if score_sum > 0
        else [Decimal(1) / len(receivers)] * len(receivers)
    )
    received = [(pool * p).quantize(CENT, rounding=ROUND_DOWN) for p in parts]
    largest = max(range(len(receivers)), key=lambda i: (received[i], -i))
    received[largest] += pool - sum(received, Decimal(0))
    for g, amount in zip(receivers, received, strict=True):
        shifts[g.code] = amount
    return shifts
