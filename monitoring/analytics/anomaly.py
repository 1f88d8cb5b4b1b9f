"""Anomaly detectors on daily series: fixed bounds, change against a baseline, and a
statistical detector robust to weekly seasonality; incidents; a vectorised many-series scan.

A daily series is a float array with one value per calendar day and NaN for a missing day.
A missing day is never flagged. Every detector looks only at the past: the flag for a day
depends on that day's value and earlier days, never on later ones, so a recompute with more
data never changes yesterday's verdict.

Fixed bounds (:func:`bounds`)
    A day is flagged when its value is below ``lower`` or above ``upper`` (a bound left out
    is not checked). The value equal to a bound is not flagged.

Change against a baseline (:func:`change_vs_baseline`)
    The baseline of a day is the median of the known values of the ``baseline_days`` days
    before it (the day itself excluded). A day is flagged when it differs from its baseline
    by more than ``pct`` of the baseline: ``|value − baseline| > pct × |baseline|`` — the same
    as ``|value ÷ baseline − 1| > pct``, but also defined for a zero baseline, where any
    non-zero value is a change. A baseline needs at least ``min_history`` (7) known values;
    until then no day is flagged.

Seasonal detector (:func:`robust_seasonal`, :func:`scan`)
    Marketing series have a weekly rhythm (a weekend dip, a Monday peak). The detector
    predicts each day from the past only, and flags the days that are far from the
    prediction, measured in the series' own usual spread:

    1. *Weekday effect* — a rough level of each day is the mean of the 7 days before it
       (one of each weekday, so the weekly rhythm cancels out; at least 4 of them known).
       A day's gap is its value minus its rough level. The weekday effect for a day is the
       median gap on the same weekday in the previous ``weeks`` weeks (8), and needs at
       least ``min_weeks`` (3) of them; being a median over weeks, it ignores a week thrown
       off by an anomaly.
    2. *Level* — the median of the previous 7 days' values with their own weekday effect
       taken off (value − effect), at least 4 of them known. A median, so one or two
       anomalous days last week do not move today's expectation.
    3. *Expected value* = level + the day's weekday effect. *Residual* = value − expected.
    4. *Spread* — the typical size of the past prediction errors (|residual|), set every
       Monday from the 84 days (12 weeks) before it, at least 21 of them known: each error
       is capped at 3 × 1.4826 × their median (1.4826 × the median error is the standard
       deviation of normal noise, and is not pulled up by the outliers themselves), and
       the spread is 1.2545 × the mean capped error. For normal noise this is the standard
       deviation, estimated more steadily than from the median alone, and an outlier
       counts no more than 3 standard deviations. When more than half of the errors are 0
       the spread is 1.2533 × the mean error, uncapped. The spread is never below
       ``rel_floor`` × |expected| (1%) nor below ``min_scale``, so a flat series with a tiny
       wobble does not produce a huge score, and a flat series that suddenly changes is
       still flagged.
    5. *Score* = residual ÷ spread, and a day is flagged when ``|score| > threshold`` (3.5).
       The *expected range* is expected ± threshold × spread: a day is flagged exactly when
       its value falls outside it.

    A series needs seven to eight weeks of history before a day can be flagged: an expected
    value from the 30th day, a score from the first Monday with 21 residuals behind it
    (day 51 to 57, depending on the weekday the series starts). Infinite values count as
    missing. The level follows a lasting change within four days, so a step up or down is
    flagged on its first days (one incident) and then becomes the new normal; use
    :func:`bounds` or :func:`change_vs_baseline` to keep flagging a lasting condition.
    Weekly effects are additive (a fixed amount, not a percentage): after a large change in
    level they fit again within a few weeks.

    Set ``min_scale`` to the smallest change that matters for the metric (for example 1 for
    a count of conversions that is usually 0 or 1): a spread of zero would otherwise make
    every change from a constant value an anomaly.

Incidents (:func:`incidents`, :func:`scan_incidents`)
    Consecutive flagged days form one incident, so an alert is raised once per incident
    (keyed on its first day), not once per flagged day or per recompute.

Pure numpy/pandas: no Django, no database (see :mod:`monitoring.analytics`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import as_strided, sliding_window_view

__all__ = [
    "CLIP",
    "CLIPPED_TO_SIGMA",
    "MAD_TO_SIGMA",
    "MEAN_AD_TO_SIGMA",
    "Incident",
    "SeasonalParams",
    "SeasonalResult",
    "baseline",
    "bounds",
    "change_vs_baseline",
    "incidents",
    "robust_seasonal",
    "scan",
    "scan_incidents",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: 1.4826 × the median absolute error estimates the standard deviation of normal noise.
MAD_TO_SIGMA = 1.4826
#: 1.2533 × the mean absolute error estimates it too (used when the median error is 0).
MEAN_AD_TO_SIGMA = 1.2533
#: Errors are capped at 3 robust standard deviations (3 × 1.4826 × the median error) …
CLIP = 3.0
#: … and 1.2545 × the mean capped error estimates the standard deviation of normal noise
#: (1 ÷ E[min(|Z|, 3)] for a standard normal Z).
CLIPPED_TO_SIGMA = 1.2545

LEVEL_DAYS = 7
LEVEL_MIN = 4
SCALE_DAYS = 84
SCALE_MIN = 21


def _calendar_days(dates: object) -> npt.NDArray[np.datetime64]:
    """Dates, strings or timestamps as ``datetime64[D]``; a time-zone-aware timestamp counts
    on its local calendar day."""
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    if stamps.tz is not None:
        stamps = stamps.tz_localize(None)
    days: npt.NDArray[np.datetime64] = np.asarray(stamps.to_numpy()).astype("datetime64[D]")
    return days


def _as_series(values: npt.ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"a daily series is one-dimensional, got shape {array.shape}")
    return array


# --------------------------------------------------------------------------- thresholds


def bounds(
    values: npt.ArrayLike, lower: float | None = None, upper: float | None = None
) -> BoolArray:
    """Flag the days whose value is below ``lower`` or above ``upper``.

    A bound left as ``None`` is not checked; a value equal to a bound is not flagged; a
    missing (NaN) value is never flagged. ``lower`` above ``upper`` is a :class:`ValueError`.
    """
    x = _as_series(values)
    if lower is not None and upper is not None and lower > upper:
        raise ValueError(f"the lower bound {lower} is above the upper bound {upper}")
    flags = np.zeros(x.shape, dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        if lower is not None:
            flags |= x < lower
        if upper is not None:
            flags |= x > upper
    return flags


def baseline(values: npt.ArrayLike, baseline_days: int = 28, min_history: int = 7) -> FloatArray:
    """Each day's baseline: the median of the known values among the ``baseline_days``
    days before it (not the day itself); NaN with fewer than ``min_history`` known values."""
    x = _as_series(values)
    if baseline_days < 1:
        raise ValueError(f"the baseline needs at least 1 day, got {baseline_days}")
    if not 1 <= min_history <= baseline_days:
        raise ValueError(
            f"min_history must be between 1 and baseline_days ({baseline_days}), got {min_history}"
        )
    return np.asarray(
        pd.Series(x).rolling(baseline_days, min_periods=min_history).median().shift(1),
        dtype=np.float64,
    )


def change_vs_baseline(
    values: npt.ArrayLike, pct: float, baseline_days: int = 28, min_history: int = 7
) -> BoolArray:
    """Flag the days that differ from their baseline by more than ``pct`` (0.3 = 30%).

    Baseline of a day = median of the known values among the ``baseline_days`` days before
    it (not the day itself). Flagged when ``|value − baseline| > pct × |baseline|``, i.e.
    ``|value ÷ baseline − 1| > pct``; with a zero baseline any non-zero value is flagged.
    Days whose baseline has fewer than ``min_history`` known values, and missing days, are
    not flagged.
    """
    x = _as_series(values)
    if not pct >= 0:
        raise ValueError(f"the change threshold must be 0 or more, got {pct}")
    if baseline_days < 1:
        raise ValueError(f"the baseline needs at least 1 day, got {baseline_days}")
    if not 1 <= min_history <= baseline_days:
        raise ValueError(
            f"min_history must be between 1 and baseline_days ({baseline_days}), got {min_history}"
        )
    base = baseline(x, baseline_days, min_history)
    with np.errstate(invalid="ignore"):
        flags: BoolArray = np.abs(x - base) > pct * np.abs(base)
    return flags


# --------------------------------------------------------------------------- seasonal


@dataclass(frozen=True)
class SeasonalParams:
    """Settings of the seasonal detector (see the module docstring for what each does)."""

    threshold: float = 3.5
    weeks: int = 8
    min_weeks: int = 3
    rel_floor: float = 0.01
    min_scale: float = 1e-9

    def __post_init__(self) -> None:
        if not self.threshold > 0:
            raise ValueError(f"threshold must be above 0, got {self.threshold}")
        if self.weeks < 1:
            raise ValueError(f"weeks must be at least 1, got {self.weeks}")
        if not 1 <= self.min_weeks <= self.weeks:
            raise ValueError(
                f"min_weeks must be between 1 and weeks ({self.weeks}), got {self.min_weeks}"
            )
        if not self.rel_floor >= 0:
            raise ValueError(f"rel_floor must be 0 or more, got {self.rel_floor}")
        if not self.min_scale > 0:
            raise ValueError(f"min_scale must be above 0, got {self.min_scale}")


@dataclass(frozen=True)
class SeasonalResult:
    """Per day: the flag, the expected value, the expected range and the score.

    ``expected``, ``low``, ``high`` and ``score`` are NaN on days without enough history
    (and ``score`` on missing days); ``flag`` is then False.
    """

    flag: BoolArray
    expected: FloatArray
    low: FloatArray
    high: FloatArray
    score: FloatArray


def _window_median(windows: npt.NDArray[Any], known: IntArray, min_count: int) -> FloatArray:
    """Median over the last axis skipping NaN; NaN where fewer than ``min_count`` are known.

    ``windows`` is usually a strided view and ``known`` its count of non-NaN values per window
    (computed by the caller from running counts, far cheaper than counting in every window).
    Windows of odd size are partitioned around their middle, even ones sorted (numpy's
    vectorised sort is faster than a two-point partition); windows with gaps are sorted
    apart, NaN last, and their middle picked from their count.
    """
    size = windows.shape[-1]
    if size % 2 and size > 1:
        ordered = np.partition(windows, size // 2, axis=-1)
        gappy = known < size
        if gappy.any():
            ordered[gappy] = np.sort(ordered[gappy], axis=-1)
    else:
        ordered = np.sort(windows, axis=-1)
    return _sorted_median(ordered, known, min_count)


def _sorted_median(ordered: npt.NDArray[Any], known: IntArray, min_count: int) -> FloatArray:
    """:func:`_window_median` of windows sorted along the last axis (NaN last); full windows
    need only their middle in place."""
    size = ordered.shape[-1]
    out: FloatArray = 0.5 * (
        ordered[..., (size - 1) // 2].astype(np.float64) + ordered[..., size // 2]
    )
    gappy = known < size
    n_gappy = int(np.count_nonzero(gappy))
    if n_gappy:
        lo = np.maximum(known - 1, 0) // 2
        hi = np.minimum(known // 2, size - 1)
        if 4 * n_gappy < gappy.size:  # a few windows with gaps: pick from those alone
            middle = np.take_along_axis(ordered[gappy], np.stack([lo[gappy], hi[gappy]], -1), -1)
            out[gappy] = 0.5 * (middle[:, 0].astype(np.float64) + middle[:, 1])
        else:
            middle = np.take_along_axis(ordered, np.stack([lo, hi], -1), -1)
            out = 0.5 * (middle[..., 0].astype(np.float64) + middle[..., 1])
    out[known < min_count] = np.nan
    return out


def _pad_left(x: npt.NDArray[Any], width: int, dtype: type[np.floating[Any]] = np.float64) -> Any:
    padded = np.full((x.shape[0], x.shape[1] + width), np.nan, dtype=dtype)
    padded[:, width:] = x
    return padded


def _cumulative(known: BoolArray) -> IntArray:
    """Running count of known values along the days, with a leading 0 column."""
    counts: IntArray = np.zeros((known.shape[0], known.shape[1] + 1), dtype=np.int64)
    np.cumsum(known, axis=1, out=counts[:, 1:])
    return counts


def _known_before(values: FloatArray, width: int) -> IntArray:
    """How many of the ``width`` days before each day have a value."""
    n_days = values.shape[1]
    counts = _cumulative(~np.isnan(values))
    known: IntArray = counts[:, :n_days].copy()
    known[:, width:] -= counts[:, : max(n_days - width, 0)]
    return known


def _known_same_weekday(values: FloatArray, weeks: int) -> IntArray:
    """How many of the same weekdays in the ``weeks`` weeks before each day have a value."""
    n_series, n_days = values.shape
    n_weeks = n_days // 7
    per_week = (~np.isnan(values)).reshape(n_series, n_weeks, 7)
    counts = np.zeros((n_series, n_weeks + 1, 7), dtype=np.int64)
    np.cumsum(per_week, axis=1, out=counts[:, 1:])
    known: IntArray = counts[:, :n_weeks].copy()
    known[:, weeks:] -= counts[:, : max(n_weeks - weeks, 0)]
    return known.reshape(n_series, n_days)


def _previous_week_mean(values: FloatArray) -> FloatArray:
    """Mean of the known values among the 7 days before each day (NaN if fewer than 4)."""
    n_days = values.shape[1]
    known = ~np.isnan(values)
    filled = _pad_left(np.where(known, values, 0.0), LEVEL_DAYS)
    filled[:, :LEVEL_DAYS] = 0.0
    total = filled[:, :n_days].copy()
    for lag in range(1, LEVEL_DAYS):  # seven shifted slices: exact, no running-sum drift
        total += filled[:, lag : lag + n_days]
    count = _known_before(values, LEVEL_DAYS)
    mean: FloatArray = np.full(values.shape, np.nan)
    np.divide(total, count, out=mean, where=count >= LEVEL_MIN)
    return mean


def _seasonal_matrix(
    x: FloatArray, params: SeasonalParams
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Expected value, spread and score for a (series × days) matrix whose column 0 is a Monday
    and whose width is a multiple of 7. Every step works on the whole matrix at once."""
    n_series, n_days = x.shape

    # 1. Weekday effect: median gap to the rough level on the same weekday of previous weeks.
    rough = _previous_week_mean(x)
    k = params.weeks
    gap = x - rough
    padded_gap = _pad_left(gap, 7 * k)
    same_weekday = as_strided(
        padded_gap,
        shape=(n_series, n_days, k),
        strides=(padded_gap.strides[0], padded_gap.strides[1], 7 * padded_gap.strides[1]),
        writeable=False,
    )
    effect = _window_median(same_weekday, _known_same_weekday(gap, k), params.min_weeks)
    # 2. Level: median of the previous week with each day's weekday effect taken off.
    deseasonalised = x - effect
    last_week = sliding_window_view(_pad_left(deseasonalised, LEVEL_DAYS), LEVEL_DAYS, axis=1)
    level = _window_median(
        last_week[:, :n_days], _known_before(deseasonalised, LEVEL_DAYS), LEVEL_MIN
    )
    # 3. Expected value and residual.
    expected = level + effect
    residual = x - expected

    # 4. Spread, once a week from the prediction errors of the 84 days before each Monday.
    #    Single precision is plenty for a spread and halves the cost of sorting these
    #    overlapping windows.
    n_weeks = n_days // 7
    padded = _pad_left(np.abs(residual), SCALE_DAYS, np.float32)
    step = padded.strides[1]
    errors = np.sort(
        as_strided(
            padded,
            shape=(n_series, n_weeks, SCALE_DAYS),
            strides=(padded.strides[0], 7 * step, step),
            writeable=False,
        ),
        axis=-1,
    )
    counts = _cumulative(~np.isnan(residual))
    mondays = 7 * np.arange(n_weeks)
    known = counts[:, mondays] - counts[:, np.maximum(mondays - SCALE_DAYS, 0)]
    typical = _sorted_median(errors, known, SCALE_MIN)  # median absolute error
    flat = typical == 0
    cap = (CLIP * MAD_TO_SIGMA) * typical
    cap[flat] = np.inf  # every error counts in full when the median error is 0
    np.minimum(errors, cap[..., None].astype(np.float32), out=errors)  # NaN stays NaN
    np.nan_to_num(errors, copy=False, nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_error = errors.sum(axis=-1, dtype=np.float64) / known
    weekly = np.where(flat, MEAN_AD_TO_SIGMA, CLIPPED_TO_SIGMA) * mean_error
    weekly[np.isnan(typical)] = np.nan
    spread = np.repeat(weekly, 7, axis=1)
    floor = np.maximum(params.rel_floor * np.abs(expected), params.min_scale)
    spread = np.maximum(spread, floor)  # NaN (too little history) stays NaN
    score = residual / spread
    return expected, spread, score


def _result(
    expected: FloatArray, spread: FloatArray, score: FloatArray, threshold: float
) -> SeasonalResult:
    with np.errstate(invalid="ignore"):
        flag: BoolArray = np.abs(score) > threshold
    return SeasonalResult(
        flag=flag,
        expected=expected,
        low=expected - threshold * spread,
        high=expected + threshold * spread,
        score=score,
    )


def _weekday(day: dt.date | np.datetime64) -> int:
    """Monday = 0 … Sunday = 6."""
    if isinstance(day, np.datetime64):
        return int((day.astype("datetime64[D]").astype(np.int64) + 3) % 7)
    return day.weekday()


def robust_seasonal(
    values: npt.ArrayLike,
    start: dt.date | np.datetime64,
    *,
    threshold: float = 3.5,
    weeks: int = 8,
    min_weeks: int = 3,
    rel_floor: float = 0.01,
    min_scale: float = 1e-9,
) -> SeasonalResult:
    """The seasonal detector on one daily series whose first value is on ``start``.

    ``values[i]`` is the value of day ``start + i`` (NaN when missing). Definitions, defaults
    and limits are in the module docstring; the result has, per day, the flag, the expected
    value, the expected range (``low``, ``high``) and the score. Only past days inform each
    day's expectation and spread. ``start`` fixes the weekdays (and the Mondays on which the
    spread is re-estimated).
    """
    params = SeasonalParams(threshold, weeks, min_weeks, rel_floor, min_scale)
    x = _as_series(values)
    x = np.where(np.isfinite(x), x, np.nan)
    n = len(x)
    offset = _weekday(start)
    width = -(-(offset + n) // 7) * 7
    grid: FloatArray = np.full((1, max(width, 7)), np.nan)
    grid[0, offset : offset + n] = x
    expected, spread, score = (a[0, offset : offset + n] for a in _seasonal_matrix(grid, params))
    return _result(expected, spread, score, params.threshold)


def scan(
    frame: pd.DataFrame,
    *,
    id_col: str = "series",
    date_col: str = "date",
    value_col: str = "value",
    threshold: float = 3.5,
    weeks: int = 8,
    min_weeks: int = 3,
    rel_floor: float = 0.01,
    min_scale: float = 1e-9,
) -> pd.DataFrame:
    """The seasonal detector on many daily series at once.

    ``frame`` is long: one row per series and day (``id_col``, ``date_col``, ``value_col``), in
    any order; days absent from the frame are missing days. Every series gets exactly the
    result :func:`robust_seasonal` gives it alone. Returns a frame with the same index and row
    order: the three input columns plus ``expected``, ``low``, ``high``, ``score`` and
    ``flag``. Two rows for the same series and day are a :class:`ValueError`.

    Vectorised: the series are laid out as a (series × days) grid, each aligned on its own
    first Monday, and every step works on the whole grid — no Python loop over rows or series.
    """
    params = SeasonalParams(threshold, weeks, min_weeks, rel_floor, min_scale)
    missing = [c for c in (id_col, date_col, value_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks the column(s) {missing}")
    out = frame[[id_col, date_col, value_col]].copy(deep=False)
    n = len(out)
    if n == 0:
        for name in ("expected", "low", "high", "score"):
            out[name] = np.zeros(0)
        out["flag"] = np.zeros(0, dtype=np.bool_)
        return out
    calendar = _calendar_days(out[date_col])
    if np.isnat(calendar).any():
        raise ValueError(f"the column {date_col!r} has missing dates")
    days: IntArray = calendar.astype(np.int64)
    codes_raw, _ = pd.factorize(out[id_col], use_na_sentinel=False)
    codes: IntArray = np.asarray(codes_raw, dtype=np.int64)
    n_series = int(codes.max()) + 1
    first = np.full(n_series, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, days)
    first -= (first + 3) % 7  # back to the Monday on or before each series' first day
    position = days - first[codes]
    width = int(-(-(int(position.max()) + 1) // 7) * 7)
    cell = codes * width + position
    if np.bincount(cell, minlength=n_series * width).max() > 1:
        dup = out[pd.Series(cell).duplicated(keep=False).to_numpy()].iloc[0]
        raise ValueError(
            f"two rows for series {dup[id_col]!r} on {pd.Timestamp(dup[date_col]).date()}"
        )
    grid: FloatArray = np.full(n_series * width, np.nan)
    values = pd.to_numeric(out[value_col]).to_numpy(dtype=np.float64, na_value=np.nan)
    grid[cell] = np.where(np.isfinite(values), values, np.nan)
    expected, spread, score = (
        a.ravel()[cell] for a in _seasonal_matrix(grid.reshape(n_series, width), params)
    )
    result = _result(expected, spread, score, params.threshold)
    out["expected"] = result.expected
    out["low"] = result.low
    out["high"] = result.high
    out["score"] = result.score
    out["flag"] = result.flag
    return out


# --------------------------------------------------------------------------- incidents


@dataclass(frozen=True)
class Incident:
    """A run of flagged days: first and last flagged day and how many days were flagged."""

    start: dt.date
    end: dt.date
    days: int


def _days(dates: npt.ArrayLike | dt.date, n: int) -> IntArray:
    if isinstance(dates, dt.date):
        first = np.datetime64(dates, "D").astype(np.int64)
        return np.asarray(first + np.arange(n), dtype=np.int64)
    values = _calendar_days(dates)
    if values.shape != (n,):
        raise ValueError(f"{n} flags but {values.size} dates")
    return np.asarray(values.astype(np.int64), dtype=np.int64)


def _run_ids(series: IntArray, days: IntArray, max_gap: int) -> IntArray:
    """Number the incidents of flagged rows sorted by (series, day)."""
    new = np.ones(len(days), dtype=np.bool_)
    new[1:] = (series[1:] != series[:-1]) | (np.diff(days) > 1 + max_gap)
    return np.asarray(np.cumsum(new) - 1, dtype=np.int64)


def incidents(
    flags: npt.ArrayLike, dates: npt.ArrayLike | dt.date, max_gap: int = 0
) -> list[Incident]:
    """Group flagged days into incidents, in date order.

    ``dates`` gives each flag's day (any order), or is the first day of a daily series. Two
    flagged days belong to the same incident when at most ``max_gap`` days lie between them
    (0: consecutive calendar days only). The caller raises one alert per incident and keys
    it on the incident's ``start``.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap must be 0 or more, got {max_gap}")
    flag = np.asarray(flags, dtype=np.bool_)
    days = _days(dates, len(flag))
    flagged = np.unique(days[flag])  # sorted, one entry per day
    if flagged.size == 0:
        return []
    run = _run_ids(np.zeros(len(flagged), dtype=np.int64), flagged, max_gap)
    bounds_at = np.flatnonzero(np.diff(run, prepend=-1))
    ends = np.append(bounds_at[1:], len(flagged)) - 1
    epoch = dt.date(1970, 1, 1)
    return [
        Incident(
            start=epoch + dt.timedelta(days=int(flagged[a])),
            end=epoch + dt.timedelta(days=int(flagged[b])),
            days=int(b - a + 1),
        )
        for a, b in zip(bounds_at, ends, strict=True)
    ]


def scan_incidents(
    result: pd.DataFrame, *, id_col: str = "series", date_col: str = "date", max_gap: int = 0
) -> pd.DataFrame:
    """Incidents of every series in a :func:`scan` result, vectorised.

    One row per incident: ``id_col``, ``start``, ``end`` (first and last flagged day), ``days``
    (flagged days) and ``peak_score`` (the score furthest from 0), sorted by series then start.
    Same grouping rule as :func:`incidents`.
    """
    if max_gap < 0:
        raise ValueError(f"max_gap must be 0 or more, got {max_gap}")
    flagged = result.loc[result["flag"].to_numpy(dtype=np.bool_), [id_col, date_col, "score"]]
    columns = [id_col, "start", "end", "days", "peak_score"]
    if flagged.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    day = _calendar_days(flagged[date_col])
    codes, uniques = pd.factorize(flagged[id_col], use_na_sentinel=False)
    order = np.lexsort((day, codes))
    series = np.asarray(codes[order], dtype=np.int64)
    days = np.asarray(day[order].astype(np.int64), dtype=np.int64)
    run = _run_ids(series, days, max_gap)
    score = np.asarray(flagged["score"].to_numpy(dtype=np.float64)[order])
    table = pd.DataFrame({"run": run, "series": series, "day": day[order], "abs": np.abs(score)})
    table["score"] = score
    grouped = table.groupby("run", sort=True)
    peak_at = grouped["abs"].idxmax().to_numpy()
    out = pd.DataFrame(
        {
            id_col: np.asarray(uniques)[grouped["series"].first().to_numpy()],
            "start": grouped["day"].min().to_numpy(),
            "end": grouped["day"].max().to_numpy(),
            "days": grouped.size().to_numpy(),
            "peak_score": table["score"].to_numpy()[peak_at],
        }
    )
    return out[columns]
