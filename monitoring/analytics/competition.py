"""Competitor arithmetic: share of voice per month, traffic and sentiment splits, and the
feature matrix's coverage score. Numbers and DataFrames in and out; no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

#: Tolerance of a split that must add up (rounded figures from third-party tools).
SUM_TOLERANCE = Decimal("0.005")
#: What a matrix level is worth in the coverage score.
LEVEL_SCORE = {"has": 1.0, "partial": 0.5, "no": 0.0}
US = "us"


def share_of_voice(mentions: pd.DataFrame) -> pd.DataFrame:
    """Each brand's share of the month's mentions.

    ``mentions`` has columns ``month`` (any sortable value), ``brand`` and ``mentions``;
    rows of the same month and brand are added up. Returns ``month, brand, mentions,
    share`` sorted by month and brand; ``share`` is NaN in a month without any mention.
    The shares of a month add up to 1 over the brands that reported in it.
    """
    columns = ["month", "brand", "mentions", "share"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    frame = mentions[["month", "brand", "mentions"]].copy()
    frame["mentions"] = pd.to_numeric(frame["mentions"], errors="coerce").fillna(0).clip(lower=0)
    grouped = frame.groupby(["month", "brand"], as_index=False, sort=True)["mentions"].sum()
    totals = grouped.groupby("month")["mentions"].transform("sum")
    grouped["share"] = grouped["mentions"] / totals.where(totals > 0)
    return grouped[columns].reset_index(drop=True)


def split_problem(shares: Mapping[str, Decimal], *, total: Decimal | None) -> str | None:
    """Why a split is wrong, or None: every share in [0, 1], and the shares add up to at
    most 1 (``total`` None) or to ``total`` (within :data:`SUM_TOLERANCE`).

    Returns a code: ``"range"``, ``"over"`` (sum above 1) or ``"sum"`` (not ``total``).
    """
    if any(not (Decimal(0) <= v <= Decimal(1)) for v in shares.values()):
        return "range"
    added = sum(shares.values(), Decimal(0))
    if total is None:
        return "over" if added > 1 + SUM_TOLERANCE else None
    return "sum" if abs(added - total) > SUM_TOLERANCE else None


@dataclass(frozen=True)
class Coverage:
    """A product's weighted coverage of the matrix: 1 = has every feature."""

    score: float | None  # None: no feature with a weight has a value
    rated: int  # features with a level for this product


def coverage(cells: Iterable[tuple[float, str]]) -> Coverage:
    """Σ weight × level score ÷ Σ weight over the features with a level.

    ``cells`` are (feature weight, level) pairs; a cell without a level ("" or unknown)
    does not count, a weight of 0 counts as rated but adds nothing.
    """
    weighted = total = 0.0
    rated = 0
    for weight, level in cells:
        if level not in LEVEL_SCORE or weight is None or math.isnan(float(weight)):
            continue
        rated += 1
        weighted += float(weight) * LEVEL_SCORE[level]
        total += float(weight)
    return Coverage(weighted / total if total > 0 else None, rated)
