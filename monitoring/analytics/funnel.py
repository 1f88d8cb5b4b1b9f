"""Rates and funnels over daily metrics: CTR, CVR, CPC, CPA, ROAS, stage conversion, drop-off.

Daily metrics have one row per plan, date, channel and (optionally) campaign, with the counts
``impressions``, ``clicks``, ``visits``, ``signups``, ``conversions``, ``new_users`` and the money
``spend`` and ``revenue`` (in the plan's currency).

Rate definitions
----------------
======  ===========================  =========================================
Rate    Definition                   Reads as
======  ===========================  =========================================
CTR     clicks ÷ impressions         share of impressions that were clicked
CVR     conversions ÷ clicks         share of clicks that converted
CPC     spend ÷ clicks               cost of one click
CPA     spend ÷ conversions          cost of one conversion
ROAS    revenue ÷ spend              revenue earned per unit of money spent
======  ===========================  =========================================

Stage conversion from stage *i* to stage *i + 1* of a funnel is ``stage[i+1] ÷ stage[i]``
(for example visits ÷ clicks), and the stage's drop-off is ``1 − conversion``. Neither is
clipped to 0–1: tracking that counts more visits than clicks gives a conversion above 1 and a
negative drop-off, and the number says so rather than hiding it.

Rates are fractions (a CTR of 2.5% is 0.025); CPC and CPA are money, ROAS a plain ratio.

**A zero denominator gives NaN — never infinity, never an exception.** So does a missing
(NaN) numerator or denominator. On arrays and DataFrames NaN is the "not defined" marker;
the scalar helper :func:`ratio_or_none` returns ``None`` instead, for callers that store or
render single numbers.

Funnels
-------
:func:`funnel` sums the counts and money by period (and channel or campaign) and computes
every rate **on the sums**: a week's CTR is the week's clicks ÷ the week's impressions. It is
*not* the mean of the daily CTRs, because that mean gives a day with 10 impressions the same
weight as a day with a million and is undefined as soon as one day has no impressions. The
rate of the sums is the rate of the period's traffic taken as a whole (the volume-weighted
mean of the daily rates), and it is the same number whether the period is summed from days,
from channels or from campaigns.

Periods start on the day itself (``day``), on Monday (``week``, ISO weeks — a week can span two
calendar years), on the 1st of the month (``month``), on 1 January, 1 April, 1 July or
1 October (``quarter``) and on 1 January (``year``).

Pure numpy/pandas: no Django, no database (see :mod:`monitoring.analytics`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_STAGES",
    "METRIC_COLUMNS",
    "MONEY_COLUMNS",
    "PERIODS",
    "RATES",
    "GroupBy",
    "Period",
    "Rate",
    "add_rates",
    "cpa",
    "cpc",
    "ctr",
    "cvr",
    "funnel",
    "period_start",
    "ratio",
    "ratio_or_none",
    "roas",
    "stage_columns",
    "validate_stages",
]

FloatArray = npt.NDArray[np.float64]

COUNT_COLUMNS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "visits",
    "signups",
    "conversions",
    "new_users",
)
MONEY_COLUMNS: tuple[str, ...] = ("spend", "revenue")
METRIC_COLUMNS: tuple[str, ...] = COUNT_COLUMNS + MONEY_COLUMNS
#: Exposure → click → visit → sign-up → purchase.
DEFAULT_STAGES: tuple[str, ...] = ("impressions", "clicks", "visits", "signups", "conversions")

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[str, ...] = get_args(Period)
GroupBy = Literal["channel", "campaign"]
GROUP_BY: tuple[str, ...] = get_args(GroupBy)


@dataclass(frozen=True)
class Rate:
    """One rate: ``numerator ÷ denominator``, NaN when the denominator is 0 or missing."""

    code: str
    numerator: str
    denominator: str


#: The rate table, in display order. Every rate is the numerator column ÷ the denominator column.
RATES: tuple[Rate, ...] = (
    Rate("ctr", "clicks", "impressions"),
    Rate("cvr", "conversions", "clicks"),
    Rate("cpc", "spend", "clicks"),
    Rate("cpa", "spend", "conversions"),
    Rate("roas", "revenue", "spend"),
)


# --------------------------------------------------------------------------- rates


def ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """``numerator ÷ denominator`` element-wise, NaN where the denominator is 0 or either is NaN.

    Never infinity, never a warning or an exception. Inputs broadcast like numpy arrays; the
    result is always a float array (0-dimensional for two scalars).
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    num, den = np.broadcast_arrays(num, den)
    out: FloatArray = np.full(num.shape, np.nan, dtype=np.float64)
    ok = den != 0
    np.divide(num, den, out=out, where=ok)
    return out


def ratio_or_none(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator ÷ denominator`` for single numbers; ``None`` when the denominator is 0 or a
    side is missing (``None`` or NaN)."""
    if numerator is None or denominator is None:
        return None
    value = float(ratio(numerator, denominator))
    return None if np.isnan(value) else value


def ctr(clicks: npt.ArrayLike, impressions: npt.ArrayLike) -> FloatArray:
    """CTR (click-through rate) = clicks ÷ impressions; NaN when there are no impressions."""
    return ratio(clicks, impressions)


def cvr(conversions: npt.ArrayLike, clicks: npt.ArrayLike) -> FloatArray:
    """CVR (conversion rate) = conversions ÷ clicks; NaN when there are no clicks."""
    return ratio(conversions, clicks)


def cpc(spend: npt.ArrayLike, clicks: npt.ArrayLike) -> FloatArray:
    """CPC (cost per click) = spend ÷ clicks; NaN when there are no clicks."""
    return ratio(spend, clicks)


def cpa(spend: npt.ArrayLike, conversions: npt.ArrayLike) -> FloatArray:
    """CPA (cost per acquisition) = spend ÷ conversions; NaN when there are no conversions."""
    return ratio(spend, conversions)


def roas(revenue: npt.ArrayLike, spend: npt.ArrayLike) -> FloatArray:
    """ROAS (return on ad spend) = revenue ÷ spend; NaN when there is no spend."""
    return ratio(revenue, spend)


# --------------------------------------------------------------------------- stages


def validate_stages(stages: Iterable[str]) -> tuple[str, ...]:
    """Check a funnel's stages and return them as a tuple, in the order given.

    A funnel has at least two stages, each one of the count columns (impressions, clicks,
    visits, signups, conversions, new_users), none repeated. The order is the user's: any
    ordered subset of the count columns is a valid funnel. Raises :class:`ValueError` with a
    message naming the problem.
    """
    if isinstance(stages, str):
        raise ValueError(f"stages must be a list of column names, not the string {stages!r}")
    result = tuple(stages)
    if len(result) < 2:
        raise ValueError(f"a funnel needs at least 2 stages, got {len(result)}: {list(result)}")
    unknown = [s for s in result if s not in COUNT_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown funnel stage(s) {unknown}; stages are chosen from {list(COUNT_COLUMNS)}"
        )
    repeated = sorted({s for s in result if result.count(s) > 1})
    if repeated:
        raise ValueError(f"funnel stage(s) {repeated} appear more than once")
    return result


def stage_columns(stages: Sequence[str]) -> list[tuple[str, str]]:
    """The (conversion, drop-off) column names :func:`funnel` writes for each pair of stages.

    For stages ``a, b`` they are ``"a_to_b"`` (b ÷ a) and ``"a_to_b_drop_off"`` (1 − b ÷ a).
    """
    stages = validate_stages(stages)
    return [(f"{a}_to_{b}", f"{a}_to_{b}_drop_off") for a, b in pairwise(stages)]


def add_rates(frame: pd.DataFrame, stages: Sequence[str] = DEFAULT_STAGES) -> pd.DataFrame:
    """Return a copy of ``frame`` (counts and money, already summed) with the rate columns added.

    Adds one conversion and one drop-off column per pair of consecutive stages (see
    :func:`stage_columns`), then ``ctr``, ``cvr``, ``cpc``, ``cpa``, ``roas``. A rate whose
    columns are absent from ``frame`` is NaN. Zero denominators give NaN.
    """
    stages = validate_stages(stages)
    out = frame.copy()
    n = len(out)

    def column(name: str) -> FloatArray:
        if name in out.columns:
            return np.asarray(out[name].to_numpy(dtype=np.float64, na_value=np.nan))
        return np.full(n, np.nan)

    for (conv_name, drop_name), (a, b) in zip(stage_columns(stages), pairwise(stages), strict=True):
        conversion = ratio(column(b), column(a))
        out[conv_name] = conversion
        out[drop_name] = 1.0 - conversion
    for rate in RATES:
        out[rate.code] = ratio(column(rate.numerator), column(rate.denominator))
    return out


# --------------------------------------------------------------------------- periods


def period_start(dates: npt.ArrayLike, period: Period) -> npt.NDArray[np.datetime64]:
    """The first day of each date's period, as ``datetime64[D]``.

    ``day``: the date itself; ``week``: the Monday on or before it (ISO weeks);
    ``month``: the 1st of its month; ``quarter``: 1 January, 1 April, 1 July or 1 October;
    ``year``: 1 January. Times of day are dropped (a time-zone-aware timestamp counts on its
    local calendar day). Vectorised, no Python loop.
    """
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {list(PERIODS)}")
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(dates)))
    if stamps.tz is not None:
        stamps = stamps.tz_localize(None)  # the local calendar day, not the UTC one
    days: npt.NDArray[np.datetime64] = np.asarray(stamps.to_numpy()).astype("datetime64[D]")
    if period == "day":
        return days
    if period == "week":
        # 1970-01-01 was a Thursday: (days since the epoch + 3) mod 7 is 0 on Mondays.
        weekday = (days.astype(np.int64) + 3) % 7
        monday: npt.NDArray[np.datetime64] = days - weekday.astype("timedelta64[D]")
        return monday
    unit = "datetime64[Y]" if period == "year" else "datetime64[M]"
    start: npt.NDArray[np.datetime64] = days.astype(unit)
    if period == "quarter":
        months = start.astype(np.int64)  # months since January 1970
        start = (months - months % 3).astype("datetime64[M]")
    first_day: npt.NDArray[np.datetime64] = start.astype("datetime64[D]")
    return first_day


# --------------------------------------------------------------------------- funnel


def funnel(
    df: pd.DataFrame,
    stages: Sequence[str] = DEFAULT_STAGES,
    group_by: GroupBy | None = None,
    period: Period = "day",
) -> pd.DataFrame:
    """Stage conversion, drop-off and the rates per period (and channel or campaign).

    ``df`` has a ``date`` column, the stage columns, the ``channel`` or ``campaign`` column when
    grouping by it, and any of the other metric columns (a metric column it lacks is NaN in
    the result, and so are the rates built on it). Rows are summed by period start and group;
    a missing value (NaN) counts as nothing, and a sum over only missing values is NaN. Rows
    with no campaign form one group whose ``campaign`` key is missing.

    Returns one row per (period, group), sorted by ``period_start`` then the group key, with
    the columns: ``period_start`` (the first day of the period, see :func:`period_start`), the
    group column if any, the summed metric columns in :data:`METRIC_COLUMNS` order (floats),
    then per pair of consecutive stages ``a_to_b`` (b ÷ a) and ``a_to_b_drop_off`` (1 − b ÷ a),
    then ``ctr``, ``cvr``, ``cpc``, ``cpa``, ``roas``. All rates are computed on the sums (see
    the module docstring for why) and are NaN where the denominator is 0. An empty ``df``
    gives an empty result with the same columns.
    """
    stages = validate_stages(stages)
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {list(PERIODS)}")
    if group_by is not None and group_by not in GROUP_BY:
        raise ValueError(f"unknown grouping {group_by!r}; choose None or one of {list(GROUP_BY)}")
    required = ["date", *stages] + ([group_by] if group_by else [])
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"the metrics frame lacks the column(s) {missing}")

    keys = ["period_start"] + ([group_by] if group_by else [])
    starts = period_start(df["date"].to_numpy(), period)
    if np.isnat(starts).any():
        raise ValueError("some metric rows have no date")
    data: dict[str, object] = {"period_start": starts}
    if group_by:
        data[group_by] = df[group_by].to_numpy()
    metrics = [c for c in METRIC_COLUMNS if c in df.columns]
    for name in metrics:
        data[name] = pd.to_numeric(df[name], errors="raise").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    flat = pd.DataFrame(data)
    # The stages are required, so ``metrics`` is never empty.
    summed = flat.groupby(keys, sort=True, dropna=False)[metrics].sum(min_count=1).reset_index()
    for name in METRIC_COLUMNS:
        if name not in summed.columns:
            summed[name] = np.nan
    summed = summed[keys + list(METRIC_COLUMNS)]
    return add_rates(summed, stages)
