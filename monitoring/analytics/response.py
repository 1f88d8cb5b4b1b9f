"""Diminishing-returns response curves and budget scenarios (pure numpy).

A channel's weekly revenue is modelled as a Hill curve of its weekly spend::

    revenue(s) = top · sᵃ / (sᵃ + Kᵃ)

``top`` is the weekly revenue the channel saturates at, ``K`` the spend that earns half
of it, ``a`` the shape (a ≤ 1: concave from the first yuan; a > 1: an S-curve). Steps
of :func:`fit_channel`:

1. Drop weeks without spend and revenue; with no spend at all the channel is ``no_spend``
   (its revenue does not depend on spend: kept as a constant, removed with the channel).
2. Fewer than ``min_weeks`` weeks with spend, or spend that hardly varies: ``few_weeks``
   / ``flat`` — not enough to see a curve, so revenue stays proportional to spend
   (the ratio estimator Σrevenue ÷ Σspend).
3. Otherwise a least-squares fit on a grid: for every (K, a) the best ``top`` is linear
   (closed form), so only K (log-spaced around the observed spend) and a are searched;
   the best cell is refined twice on finer grids around it.
4. Uncertainty: the weeks are resampled with replacement (fixed seed) and refitted on the
   coarse grid; each resample's parameters are kept, and a scenario's range is the
   10th–90th percentile of its outcome over them.

A scenario is a weekly spend series per channel (the history's weeks, scaled, moved or
removed); its expected revenue is the curves evaluated week by week, so the seasonality of
the history is kept. Nothing here knows about Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

FITTED = "fitted"
FEW_WEEKS = "few_weeks"
FLAT = "flat"
NO_SPEND = "no_spend"
HILL = "hill"
LINEAR = "linear"
CONSTANT = "constant"

MIN_WEEKS = 8
MIN_SPREAD = 0.05  # coefficient of variation of weekly spend below which a curve is not fitted
RESAMPLES = 200
SEED = 20270101
SHAPES_COARSE = np.linspace(0.5, 2.5, 11)
K_STEPS_COARSE = 41
K_RANGE = (0.05, 20.0)  # K from 5 % to 20× the largest weekly spend


@dataclass(frozen=True)
class Curve:
    """One set of parameters: ``hill`` (top, half, shape), ``linear`` (slope) or
    ``constant`` (level: revenue that does not depend on spend)."""

    kind: str
    top: float = 0.0
    half: float = 1.0
    shape: float = 1.0
    slope: float = 0.0
    level: float = 0.0

    def revenue(self, spend: np.ndarray | float) -> np.ndarray:
        s = np.clip(np.asarray(spend, dtype=float), 0.0, None)
        if self.kind == HILL:
            sa = s**self.shape
            return self.top * sa / (sa + self.half**self.shape)
        if self.kind == LINEAR:
            return self.slope * s
        return np.full_like(s, self.level)

    def marginal(self, spend: float) -> float:
        """d revenue / d spend at ``spend`` (revenue per extra unit of spend)."""
        s = max(float(spend), 0.0)
        if self.kind == HILL:
            if s == 0.0:
                return float(self.top / self.half) if self.shape == 1.0 else 0.0
            a, k = self.shape, self.half
            return float(self.top * a * k**a * s ** (a - 1) / (s**a + k**a) ** 2)
        if self.kind == LINEAR:
            return self.slope
        return 0.0

    def as_list(self) -> list[float]:
        if self.kind == HILL:
            return [self.top, self.half, self.shape]
        return [self.slope if self.kind == LINEAR else self.level]

    @classmethod
    def from_list(cls, kind: str, values: Sequence[float]) -> Curve:
        if kind == HILL:
            return cls(HILL, top=values[0], half=values[1], shape=values[2])
        if kind == LINEAR:
            return cls(LINEAR, slope=values[0])
        return cls(CONSTANT, level=values[0])


@dataclass(frozen=True)
class Fit:
    status: str
    curve: Curve
    samples: list[Curve] = field(default_factory=list)
    weeks: int = 0
    r2: float | None = None


def _hill_grid(
    spend: np.ndarray, revenue: np.ndarray, halves: np.ndarray, shapes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every resample row of ``spend``/``revenue`` (shape (R, W)): the best (top, K, a)
    on the grid and its SSE. Returns params (R, 3) and sse (R,)."""
    s = spend[:, None, None, :]  # R, 1, 1, W
    y = revenue[:, None, None, :]
    sa = s ** shapes[None, None, :, None]
    ka = halves[None, :, None, None] ** shapes[None, None, :, None]
    basis = sa / (sa + ka)  # R, K, A, W
    bb = (basis * basis).sum(axis=-1)
    by = (basis * y).sum(axis=-1)
    top = np.where(bb > 0, by / np.where(bb > 0, bb, 1.0), 0.0)
    top = np.clip(top, 0.0, None)
    sse = ((y - top[..., None] * basis) ** 2).sum(axis=-1)  # R, K, A
    flat = sse.reshape(sse.shape[0], -1)
    best = flat.argmin(axis=1)
    ki, ai = np.unravel_index(best, sse.shape[1:])
    rows = np.arange(sse.shape[0])
    params = np.stack([top[rows, ki, ai], halves[ki], shapes[ai]], axis=1)
    return params, flat[rows, best]


def _refine(spend: np.ndarray, revenue: np.ndarray, best: np.ndarray, k_ratio: float) -> np.ndarray:
    """Two finer grids around the best coarse cell (K on a log scale, a linear)."""
    _top, k, a = best
    a_step = float(SHAPES_COARSE[1] - SHAPES_COARSE[0])
    for _round in range(2):
        halves = k * np.geomspace(1 / k_ratio, k_ratio, 21)
        shapes = np.clip(np.linspace(a - a_step, a + a_step, 21), 0.3, 4.0)
        params, _sse = _hill_grid(spend[None, :], revenue[None, :], halves, shapes)
        _top, k, a = params[0]
        k_ratio, a_step = k_ratio ** (2 / 20), a_step * 2 / 20
    return params[0]


def fit_channel(
    spend: Sequence[float] | np.ndarray,
    revenue: Sequence[float] | np.ndarray,
    *,
    min_weeks: int = MIN_WEEKS,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Fit:
    """Fit one channel's weekly spend → revenue (see the module docstring)."""
    s_all = np.nan_to_num(np.asarray(spend, dtype=float), nan=0.0)
    y_all = np.nan_to_num(np.asarray(revenue, dtype=float), nan=0.0)
    if s_all.shape != y_all.shape:
        raise ValueError("spend and revenue need one value per week each")
    s_all, y_all = np.clip(s_all, 0, None), np.clip(y_all, 0, None)
    keep = s_all > 0
    weeks = int(keep.sum())
    if weeks == 0:
        level = float(y_all.mean()) if len(y_all) else 0.0
        return Fit(NO_SPEND, Curve(CONSTANT, level=level), [Curve(CONSTANT, level=level)], 0)
    s, y = s_all[keep], y_all[keep]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, weeks, size=(resamples, weeks)) if resamples else None
    spread = float(s.std() / s.mean()) if s.mean() > 0 else 0.0
    if weeks < min_weeks or spread < MIN_SPREAD:
        status = FEW_WEEKS if weeks < min_weeks else FLAT
        curve = Curve(LINEAR, slope=float(y.sum() / s.sum()))
        samples = []
        if picks is not None:
            slopes = y[picks].sum(axis=1) / s[picks].sum(axis=1)
            samples = [Curve(LINEAR, slope=float(v)) for v in slopes]
        return Fit(status, curve, samples, weeks, _r2(y, curve.revenue(s)))
    halves = float(s.max()) * np.geomspace(*K_RANGE, K_STEPS_COARSE)
    params, _sse = _hill_grid(s[None, :], y[None, :], halves, SHAPES_COARSE)
    k_ratio = float(halves[1] / halves[0])
    top, k, a = _refine(s, y, params[0], k_ratio)
    curve = Curve(HILL, top=float(top), half=float(k), shape=float(a))
    samples = []
    if picks is not None:
        chunk = 50  # resamples per grid evaluation: bounded memory
        for start in range(0, resamples, chunk):
            rows = picks[start : start + chunk]
            found, _ = _hill_grid(s[rows], y[rows], halves, SHAPES_COARSE)
            samples += [
                Curve(HILL, top=float(t), half=float(h), shape=float(sh)) for t, h, sh in found
            ]
    return Fit(FITTED, curve, samples, weeks, _r2(y, curve.revenue(s)))


def _r2(y: np.ndarray, predicted: np.ndarray) -> float | None:
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0:
        return None
    return 1.0 - float(((y - predicted) ** 2).sum()) / total


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a scenario gives over the history's weeks (money in the plan currency)."""

    spend: float
    revenue: float
    value: float
    cost: float
    roi: float | None
    revenue_low: float
    revenue_high: float
    roi_low: float | None
    roi_high: float | None


def _roi(value: np.ndarray | float, cost: float) -> np.ndarray | float | None:
    if cost <= 0:
        return None
    return (np.asarray(value) - cost) / cost


def evaluate(
    fits: Mapping[str, Fit],
    spend: Mapping[str, np.ndarray],
    *,
    value_share: float = 1.0,
    other_costs: float = 0.0,
    low: float = 10.0,
    high: float = 90.0,
) -> Outcome:
    """Expected revenue and ROI of weekly ``spend`` per channel (a channel missing from
    ``spend`` is removed: no spend, no revenue). ``value_share`` turns revenue into the
    ROI's value (the gross margin on a margin basis, 1 on a revenue basis);
    ``other_costs`` are the costs that do not move with media spend."""
    revenue = 0.0
    draws: np.ndarray | None = None
    total_spend = 0.0
    for code, fit in fits.items():
        if code not in spend:
            continue
        weekly = np.clip(np.asarray(spend[code], dtype=float), 0, None)
        total_spend += float(weekly.sum())
        revenue += float(fit.curve.revenue(weekly).sum())
        samples = fit.samples or [fit.curve]
        sampled = np.array([float(c.revenue(weekly).sum()) for c in samples])
        if draws is None:
            draws = np.zeros(len(sampled))
        if len(sampled) != len(draws):  # a fit without resamples: its point value everywhere
            sampled = np.full(len(draws), float(fit.curve.revenue(weekly).sum()))
        draws = draws + sampled
    if draws is None or len(draws) == 0:
        draws = np.array([revenue])
    cost = total_spend + other_costs
    rev_low, rev_high = (float(v) for v in np.percentile(draws, [low, high]))
    roi = _roi(revenue * value_share, cost)
    rois = _roi(draws * value_share, cost)
    roi_low = roi_high = None
    if rois is not None:
        roi_low, roi_high = (float(v) for v in np.percentile(rois, [low, high]))
    return Outcome(
        spend=total_spend,
        revenue=revenue,
        value=revenue * value_share,
        cost=cost,
        roi=None if roi is None else float(roi),
        revenue_low=rev_low,
        revenue_high=rev_high,
        roi_low=roi_low,
        roi_high=roi_high,
    )


def scaled(base: Mapping[str, np.ndarray], factors: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Every channel's weekly spend times its factor (1 when not named; 0 removes it)."""
    return {
        code: np.asarray(weekly, dtype=float) * float(factors.get(code, 1.0))
        for code, weekly in base.items()
        if factors.get(code, 1.0) != 0
    }


def total_change(base: Mapping[str, np.ndarray], change: float) -> dict[str, np.ndarray]:
    """The whole budget ±``change`` (0.1 = +10 %), every channel alike."""
    return {code: np.asarray(w, dtype=float) * (1 + change) for code, w in base.items()}


def removed(base: Mapping[str, np.ndarray], code: str) -> dict[str, np.ndarray]:
    if code not in base:
        raise KeyError(code)
    return {c: np.asarray(w, dtype=float) for c, w in base.items() if c != code}


def moved(
    base: Mapping[str, np.ndarray], source: str, target: str, share: float
) -> dict[str, np.ndarray]:
    """``share`` (0–1) of ``source``'s spend moved to ``target``, week by week in the
    target's own rhythm (evenly when the target had no spend)."""
    if source not in base:
        raise KeyError(source)
    if target not in base:
        raise KeyError(target)
    if not 0 <= share <= 1:
        raise ValueError("the share moved is between 0 and 1")
    out = {c: np.asarray(w, dtype=float).copy() for c, w in base.items()}
    if source == target:
        return out
    amount = float(out[source].sum()) * share
    out[source] = out[source] * (1 - share)
    weights = out[target]
    total = float(weights.sum())
    if total > 0:
        out[target] = weights + amount * weights / total
    else:
        out[target] = weights + amount / max(len(weights), 1)
    return out


def adjusted(base: Mapping[str, np.ndarray], changes: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Each named channel's spend changed by its fraction (−0.1 = −10 %; −1 removes it)."""
    unknown = sorted(set(changes) - set(base))
    if unknown:
        raise KeyError(unknown[0])
    factors = {code: 1 + change for code, change in changes.items()}
    if any(f < 0 for f in factors.values()):
        raise ValueError("a channel cannot lose more than its whole spend")
    return scaled(base, factors)


def combined(
    base: Mapping[str, np.ndarray],
    *,
    total: float = 0.0,
    changes: Mapping[str, float] | None = None,
    move: tuple[str, str, float] | None = None,
    remove: Sequence[str] = (),
) -> dict[str, np.ndarray]:
    """One scenario made of several steps, applied in this order: the whole budget
    ±``total`` (0.1 = +10 %); each channel in ``changes`` by its fraction (compounding with
    ``total``); ``move`` = (from, to, share 0–1) of the source's spend by then; the channels
    in ``remove`` dropped (no spend, no revenue). Unknown codes raise KeyError."""
    unknown = sorted(({*(changes or {}), *remove} | set(move[:2] if move else ())) - set(base))
    if unknown:
        raise KeyError(unknown[0])
    factors = dict.fromkeys(base, 1 + total)
    for code, change in (changes or {}).items():
        factors[code] *= 1 + change
    if any(f < 0 for f in factors.values()):
        raise ValueError("a channel cannot lose more than its whole spend")
    spend = {code: np.asarray(w, dtype=float) * factors[code] for code, w in base.items()}
    if move is not None:
        spend = moved(spend, *move)
    # a channel at −100 % is removed like one in ``remove``, unless a move gave it budget
    gone = set(remove) | {
        c for c, f in factors.items() if f == 0 and not (move and move[1] == c and move[2] > 0)
    }
    return {c: w for c, w in spend.items() if c not in gone}
