"""Customer lifetime value from cohort retention (pure numpy).

A cohort is the users acquired in one month (optionally by one channel): how many, the
share of them still active k months later (k = 1, 2, …; month 0, the month they were
acquired, is 100 %), and the revenue a retained user brings a month (ARPU). Steps:

1. **Blend** the cohorts of a group: for every month k, the users-weighted mean retention
   of the cohorts that have reached month k; ARPU weighted by the users.
2. **Extrapolate** past the last observed month with a power law r(k) = c · k^(−b) fitted
   by least squares on log r over the observed months (retention curves flatten, which
   a power law follows better than a constant churn rate). With one positive month the
   curve decays geometrically at that rate; a month observed at 0 ends the curve. The
   extrapolation never rises above the last observed month.
3. **LTV per user** = margin · ARPU · Σ_{k=0}^{H−1} r(k) / (1 + m)^k over the horizon H in
   months, with m the monthly rate of the annual discount rate.
4. **Future value** (what the LTV correction of ROI adds): the revenue of a period already
   holds the months its new users spent in it, so only the months after the period are
   added. A user acquired e months before the period ends (e = 1 for the last month) has
   spent months 0 … e−1 in it; the rest of the horizon is the tail
   T(e) = margin · ARPU · Σ_{k=e}^{H−1} r(k) / (1 + m)^k (T(0) = the LTV, T(e ≥ H) = 0),
   and the future value of the period's new users is Σ_e users(e) · T(e). It is never
   negative, so the LTV-corrected value is never below the in-period value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cohort:
    users: float
    retention: Sequence[float]  # month 1, 2, … as fractions of the users acquired
    arpu: float  # revenue per retained user per month


@dataclass(frozen=True)
class Ltv:
    per_user: float
    curve: list[float]  # r(0) = 1 … r(H−1)
    observed_months: int
    arpu: float
    users: float
    tail: list[float]  # T(0) = per_user … T(H) = 0: the value from month e of the horizon on


def monthly_rate(annual: float) -> float:
    """The monthly discount rate equivalent to an annual one."""
    if annual <= -1:
        raise ValueError("the discount rate must be above −100 %")
    return float((1 + annual) ** (1 / 12) - 1)


def blend(cohorts: Sequence[Cohort]) -> tuple[np.ndarray, float, float]:
    """Users-weighted retention per month (months no cohort has reached are dropped),
    users-weighted ARPU, and the users in all."""
    usable = [c for c in cohorts if c.users > 0]
    users = float(sum(c.users for c in usable))
    if not usable:
        return np.zeros(0), 0.0, 0.0
    months = max(len(c.retention) for c in usable)
    sums, weights = np.zeros(months), np.zeros(months)
    for c in usable:
        values = np.nan_to_num(np.asarray(c.retention, dtype=float), nan=0.0)
        n = len(values)
        sums[:n] += c.users * np.clip(values, 0.0, 1.0)
        weights[:n] += c.users
    retention = np.where(weights > 0, sums / np.where(weights > 0, weights, 1), 0.0)
    arpu = float(sum(c.users * max(c.arpu, 0.0) for c in usable) / users)
    return retention, arpu, users


def retention_curve(observed: Sequence[float] | np.ndarray, horizon: int) -> np.ndarray:
    """r(0) … r(horizon − 1): 1, the observed months, then the power-law extrapolation."""
    if horizon < 1:
        raise ValueError("the horizon is at least one month")
    seen = np.clip(np.nan_to_num(np.asarray(observed, dtype=float), nan=0.0), 0.0, 1.0)
    curve = np.zeros(horizon)
    curve[0] = 1.0
    n = min(len(seen), horizon - 1)
    curve[1 : n + 1] = seen[:n]
    if len(seen) >= horizon - 1 or len(seen) == 0:
        return curve
    last = float(seen[-1])
    if last <= 0:
        return curve  # nobody left: the curve stays at 0
    k_future = np.arange(len(seen) + 1, horizon, dtype=float)
    positive = np.flatnonzero(seen > 0)
    if len(positive) >= 2:
        k = positive + 1.0
        slope, _intercept = np.polyfit(np.log(k), np.log(seen[positive]), 1)
        b = max(-float(slope), 0.0)
        # anchored on the last observed month, so the curve continues from where it is
        extrapolated = last * (k_future / len(seen)) ** (-b)
    else:
        extrapolated = last ** (k_future - len(seen) + 1)
    curve[len(seen) + 1 :] = np.minimum(extrapolated, last)
    return curve


def lifetime_value(
    cohorts: Sequence[Cohort], *, horizon_months: int, annual_discount: float, margin: float = 1.0
) -> Ltv | None:
    """The LTV of one user of the blended cohorts (None without users)."""
    retention, arpu, users = blend(cohorts)
    if users <= 0:
        return None
    curve = retention_curve(retention, horizon_months)
    m = monthly_rate(annual_discount)
    factors = (1 + m) ** -np.arange(horizon_months, dtype=float)
    monthly = margin * arpu * curve * factors
    tail = np.concatenate([np.cumsum(monthly[::-1])[::-1], [0.0]])
    per_user = float(monthly.sum())
    return Ltv(
        per_user,
        [float(v) for v in curve],
        len(retention),
        arpu,
        users,
        [float(v) for v in tail],
    )


def future_value(ltv: Ltv, users_by_elapsed: Mapping[int, float]) -> float:
    """Σ users · T(e) over {e: users acquired e months before the period's end} (e ≥ 1:
    the period's last month is e = 1): the value those users bring after the period."""
    horizon = len(ltv.tail) - 1
    total = 0.0
    for elapsed, users in users_by_elapsed.items():
        if elapsed < 1:
            raise ValueError("a user of the period has spent at least one month in it")
        if users > 0:
            total += users * ltv.tail[min(elapsed, horizon)]
    return total
