"""Anomaly detectors on pure arrays: thresholds, the seasonal detector, incidents, the scan."""

from __future__ import annotations

import datetime as dt
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analytics.anomaly import (
    Incident,
    SeasonalParams,
    bounds,
    change_vs_baseline,
    incidents,
    robust_seasonal,
    scan,
    scan_incidents,
)

FAST = settings(max_examples=25, deadline=None, derandomize=True)
MONDAY = dt.date(2025, 1, 6)
#: Monday … Sunday: a deep Monday dip and a weekend trough, as in B2B search traffic.
WEEKLY = np.array([0.55, 1.0, 1.1, 1.15, 1.05, 0.7, 0.6])


def weekly_series(
    n: int, level: float = 1000.0, noise: float = 0.03, seed: int = 1, start: dt.date = MONDAY
) -> np.ndarray:
    """A strongly weekly series starting on ``start``; the noise has the same size every day
    (``noise`` × ``level``), as the detector assumes."""
    rng = np.random.default_rng(seed)
    weekday = (np.arange(n) + start.weekday()) % 7
    return level * (WEEKLY[weekday] + noise * rng.standard_normal(n))


def flagged(values: np.ndarray, start: dt.date = MONDAY, **kwargs: float) -> list[int]:
    return np.flatnonzero(robust_seasonal(values, start, **kwargs).flag).tolist()


# --------------------------------------------------------------------------- thresholds


def test_bounds_flag_values_outside_and_never_missing_days():
    values = [5, 10, 15, np.nan, 20, 25]
    assert bounds(values, 10, 20).tolist() == [True, False, False, False, False, True]
    assert bounds(values, lower=12).tolist() == [True, True, False, False, False, False]
    assert bounds(values, upper=15).tolist() == [False, False, False, False, True, True]
    assert not bounds(values).any()
    with pytest.raises(ValueError, match="lower bound 3 is above the upper bound 2"):
        bounds(values, 3, 2)


def test_change_vs_baseline_needs_seven_days_of_history():
    values = np.array([100.0] * 6 + [500.0] + [100.0] * 3 + [131.0, 129.0])
    flags = change_vs_baseline(values, 0.3)
    # Day 6 has only 6 days behind it: not judged, however large. Day 7 onward has a
    # baseline: days 7-9 are 0% off (the 500 does not move a median), day 10 is 31% off.
    assert np.flatnonzero(flags).tolist() == [10]


def test_change_vs_baseline_uses_the_median_of_previous_days_only():
    values = np.array([10.0, 20, 30, 40, 50, 60, 70, 40])
    # Baseline of the last day: median of 10…70 = 40 — not including the day itself.
    assert not change_vs_baseline(values, 0.0, min_history=7)[-1]
    values[-1] = 52.0
    assert change_vs_baseline(values, 0.29, min_history=7)[-1]  # 30% above 40
    assert not change_vs_baseline(values, 0.30, min_history=7)[-1]  # exactly 30% is not more
    # Only the last baseline_days count: with 3 days the baseline is median(50, 60, 70) = 60.
    assert change_vs_baseline(values, 0.1, baseline_days=3, min_history=3)[-1]


def test_change_vs_baseline_with_zero_baseline_and_gaps():
    values = np.array([0.0] * 10 + [0.0, 5.0, np.nan])
    flags = change_vs_baseline(values, 0.5)
    assert flags.tolist()[10:] == [False, True, False], "0 → 5 is a change; NaN never flagged"
    gappy = np.array([100.0, np.nan] * 8 + [200.0])
    # 8 known values in the previous 16 days: enough for a baseline.
    assert change_vs_baseline(gappy, 0.5, baseline_days=16)[-1]
    assert not change_vs_baseline(gappy, 0.5, baseline_days=12)[-1], "6 known: not enough"


def test_change_vs_baseline_validates():
    with pytest.raises(ValueError, match="0 or more"):
        change_vs_baseline([1.0], -0.1)
    with pytest.raises(ValueError, match="min_history must be between 1 and baseline_days"):
        change_vs_baseline([1.0], 0.1, baseline_days=5, min_history=7)
    with pytest.raises(ValueError, match="one-dimensional"):
        change_vs_baseline([[1.0]], 0.1)


# --------------------------------------------------------------------------- seasonal


def test_flat_series_is_quiet_and_exactly_expected():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = robust_seasonal(np.full(150, 100.0), MONDAY)
    assert not result.flag.any()
    known = ~np.isnan(result.score)
    assert known.sum() > 90
    assert (result.expected[known] == 100.0).all()
    assert (result.score[known] == 0.0).all()
    # The spread is floored at 1% of the expected value: a range of 100 ± 3.5.
    assert result.low[known] == pytest.approx(96.5)
    assert result.high[known] == pytest.approx(103.5)


def test_flat_series_with_a_tiny_wobble_does_not_explode():
    values = np.full(150, 100.0)
    values[100] = 100.3
    result = robust_seasonal(values, MONDAY)
    assert not result.flag.any()
    assert result.score[100] == pytest.approx(0.3)  # 0.3 ÷ (1% of 100)


def test_a_step_from_a_flat_line_is_one_short_incident():
    values = np.full(150, 100.0)
    values[100:] = 150.0
    result = robust_seasonal(values, MONDAY)
    assert result.flag[100]
    assert result.score[100] == pytest.approx(50.0)
    found = incidents(result.flag, MONDAY)
    assert len(found) == 1
    assert found[0].start == MONDAY + dt.timedelta(days=100)
    assert found[0].days <= 4, "the level adapts within four days"
    assert not result.flag[110:].any(), "the new level becomes normal"


def test_a_channel_that_stops_is_flagged():
    values = weekly_series(150, level=500)
    values[120:] = 0.0
    result = robust_seasonal(values, MONDAY)
    assert result.flag[120]
    assert result.score[120] < -3.5
    assert values[120] < result.low[120]


def test_weekly_series_monday_dips_are_not_flagged():
    values = weekly_series(364)
    result = robust_seasonal(values, MONDAY)
    mondays = np.arange(0, 364, 7)
    assert values[mondays].mean() < 0.65 * values.mean(), "Mondays are a third below average"
    assert not result.flag.any(), "a normal weekly rhythm raises nothing"
    # A detector blind to the weekly rhythm flags every Monday once it has a baseline.
    naive = change_vs_baseline(values, 0.3)
    assert naive[mondays[2:]].all()


def test_weekly_series_spike_and_dip_are_flagged():
    values = weekly_series(364)
    assert MONDAY + dt.timedelta(days=198) == dt.date(2025, 7, 23)  # a Wednesday
    values[198] *= 1.5  # a spike
    values[252] *= 0.5  # a Monday that dips twice as deep as usual
    result = robust_seasonal(values, MONDAY)
    assert np.flatnonzero(result.flag).tolist() == [198, 252]
    assert result.score[198] > 3.5 > -3.5 > result.score[252]
    assert result.expected[198] == pytest.approx(1100, rel=0.05)  # a normal Wednesday
    assert result.expected[252] == pytest.approx(550, rel=0.05)  # a normal Monday


def test_ctr_collapse_is_flagged_on_its_first_day():
    rng = np.random.default_rng(3)
    n = 240
    ctr = 0.02 * WEEKLY[np.arange(n) % 7] * (1 + 0.05 * rng.standard_normal(n))
    ctr[180:] *= 0.3  # a broken tracking pixel
    result = robust_seasonal(ctr, MONDAY)
    assert not result.flag[:180].any()
    assert result.flag[180]
    assert result.score[180] < -5
    found = incidents(result.flag, MONDAY)
    assert found[0].start == MONDAY + dt.timedelta(days=180)


def test_spend_spike_is_flagged():
    rng = np.random.default_rng(4)
    spend = 1000 * (1 + 0.04 * rng.standard_normal(200))  # no weekly rhythm
    spend[150] = 3000.0
    assert flagged(spend) == [150]


def test_missing_days_are_skipped_and_never_flagged():
    values = weekly_series(300)
    values[100:112] = np.nan  # twelve days without data
    values[[130, 131, 170]] = np.nan
    values[200] *= 1.6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = robust_seasonal(values, MONDAY)
    assert not result.flag[np.isnan(values)].any()
    assert np.isnan(result.score[np.isnan(values)]).all()
    assert np.flatnonzero(result.flag).tolist() == [200]
    assert not np.isnan(result.expected[120]), "the expectation is back within days"


def test_infinite_values_count_as_missing():
    values = weekly_series(200)
    values[150] = np.inf
    result = robust_seasonal(values, MONDAY)
    assert not result.flag.any()
    assert np.isfinite(result.expected[151:]).all()


def test_short_series_raise_nothing_until_enough_history():
    values = np.full(45, 100.0)
    values[40] = 1e6
    result = robust_seasonal(values, MONDAY)
    assert not result.flag.any()
    assert np.isnan(result.score).all()
    assert not np.isnan(result.expected[29]), "an expected value exists from day 30"
    assert np.isnan(result.expected[:29]).all()
    assert robust_seasonal([], MONDAY).flag.shape == (0,)
    assert not robust_seasonal([5.0], MONDAY).flag.any()


def test_first_possible_flag_depends_on_the_weekday_of_the_first_day():
    # The spread is set on Mondays; the first Monday with 21 residuals behind it.
    for offset in range(7):
        start = MONDAY + dt.timedelta(days=offset)
        result = robust_seasonal(np.full(80, 100.0), start)
        first = int(np.flatnonzero(~np.isnan(result.score))[0])
        assert 50 <= first <= 56
        assert (start + dt.timedelta(days=first)).weekday() == 0


def test_expected_range_matches_the_flag():
    values = weekly_series(300, noise=0.08, seed=9)
    values[[150, 220, 260]] *= [2.0, 0.3, 1.4]
    result = robust_seasonal(values, MONDAY, threshold=3.0)
    known = ~np.isnan(result.score)
    outside = (values < result.low) | (values > result.high)
    assert (result.flag[known] == outside[known]).all()
    assert result.flag[[150, 220]].all()


@FAST
@given(
    st.integers(0, 2**32 - 1),
    st.integers(60, 170),
    st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=30),
    st.integers(0, 6),
)
def test_no_look_ahead_changing_the_future_never_changes_the_past(seed, cut, future, weekday):
    start = MONDAY + dt.timedelta(days=weekday)
    values = weekly_series(200, seed=seed, noise=0.1, start=start)
    values[np.random.default_rng(seed).integers(0, 200, 5)] *= 2.5
    changed = values.copy()
    changed[cut : cut + len(future)] = future[: 200 - cut]
    before = robust_seasonal(values, start)
    after = robust_seasonal(changed, start)
    assert (before.flag[:cut] == after.flag[:cut]).all()
    for name in ("expected", "low", "high"):
        # A day's expectation and range use only earlier days, so day `cut` keeps them too.
        np.testing.assert_array_equal(
            getattr(before, name)[: cut + 1], getattr(after, name)[: cut + 1]
        )
    np.testing.assert_array_equal(before.score[:cut], after.score[:cut])


def reference_seasonal(values, start, weeks=8, min_weeks=3, threshold=3.5, rel_floor=0.01):
    """The seasonal detector as the module docstring states it, one day at a time."""
    x = np.where(np.isfinite(values), values, np.nan)
    n = len(x)

    def known(a):
        return a[~np.isnan(a)]

    rough = np.full(n, np.nan)
    for t in range(n):
        last_week = known(x[max(t - 7, 0) : t])
        if len(last_week) >= 4:
            rough[t] = last_week.mean()
    gap = x - rough
    effect = np.full(n, np.nan)
    for t in range(n):
        same_day = known(np.array([gap[t - 7 * j] for j in range(1, weeks + 1) if t - 7 * j >= 0]))
        if len(same_day) >= min_weeks:
            effect[t] = np.median(same_day)
    level = np.full(n, np.nan)
    for t in range(n):
        last_week = known((x - effect)[max(t - 7, 0) : t])
        if len(last_week) >= 4:
            level[t] = np.median(last_week)
    expected = level + effect
    residual = x - expected
    spread = np.full(n, np.nan)
    for t in range(n):
        monday = t - (start + dt.timedelta(days=t)).weekday()
        past = known(residual[max(monday - 84, 0) : max(monday, 0)])
        if len(past) < 21 or np.isnan(expected[t]):
            continue
        error = np.abs(past)
        typical = np.median(error)
        if typical == 0:
            robust_sd = 1.2533 * error.mean()
        else:
            robust_sd = 1.2545 * np.minimum(error, 3 * 1.4826 * typical).mean()
        spread[t] = max(robust_sd, rel_floor * abs(expected[t]), 1e-9)
    return expected, spread, residual / spread


@FAST
@given(
    st.integers(0, 2**32 - 1),
    st.integers(40, 220),
    st.integers(0, 6),
    st.sampled_from([(8, 3), (5, 2), (3, 3), (1, 1)]),
    st.floats(0.0, 0.3),
)
def test_vectorised_detector_matches_its_definition(seed, n, weekday, weeks, missing):
    rng = np.random.default_rng(seed)
    start = MONDAY + dt.timedelta(days=weekday)
    values = weekly_series(n, seed=seed, noise=0.1, start=start)
    values[rng.random(n) < missing] = np.nan
    values[rng.integers(0, n, 3)] *= 3.0
    if seed % 3 == 0:  # coarse steps: most errors 0, a median error of 0
        values = np.round(values / 500) * 500
    result = robust_seasonal(values, start, weeks=weeks[0], min_weeks=weeks[1])
    expected, spread, score = reference_seasonal(values, start, weeks=weeks[0], min_weeks=weeks[1])
    np.testing.assert_allclose(result.expected, expected, rtol=1e-9, atol=1e-9)
    # The spread is estimated in single precision.
    np.testing.assert_allclose(result.high - result.expected, 3.5 * spread, rtol=1e-5)
    np.testing.assert_allclose(result.score, score, rtol=1e-5, atol=1e-6)
    clear = np.isnan(score) | (np.abs(np.abs(score) - 3.5) > 1e-3)
    assert (result.flag[clear] == (np.abs(score[clear]) > 3.5)).all()


def test_parameters_are_validated():
    for bad in (
        {"threshold": 0},
        {"weeks": 0},
        {"min_weeks": 9},
        {"rel_floor": -0.1},
        {"min_scale": 0},
    ):
        with pytest.raises(ValueError, match="must be"):
            SeasonalParams(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be"):
        robust_seasonal([1.0], MONDAY, min_scale=0)


def test_min_scale_silences_sparse_counts():
    # Conversions of a small channel: mostly 0, sometimes 1 or 2.
    counts = np.random.default_rng(5).poisson(0.3, 200).astype(float)
    assert flagged(counts)  # a spread of ~0 makes every 1 look like an anomaly…
    counts[180] = 12
    assert flagged(counts, min_scale=1.0) == [180]  # …a floor of one conversion does not


def test_start_may_be_a_numpy_date():
    values = weekly_series(120)
    a = robust_seasonal(values, np.datetime64("2025-01-06"))
    b = robust_seasonal(values, MONDAY)
    np.testing.assert_array_equal(a.score, b.score)


# --------------------------------------------------------------------------- incidents


def test_incidents_split_on_unflagged_days():
    flags = [False, True, True, False, True, False, False, True]
    day = dt.date(2025, 3, 1)
    assert incidents(flags, day) == [
        Incident(dt.date(2025, 3, 2), dt.date(2025, 3, 3), 2),
        Incident(dt.date(2025, 3, 5), dt.date(2025, 3, 5), 1),
        Incident(dt.date(2025, 3, 8), dt.date(2025, 3, 8), 1),
    ]
    assert [i.start for i in incidents(flags, day, max_gap=1)] == [
        dt.date(2025, 3, 2),
        dt.date(2025, 3, 8),
    ]
    merged = incidents(flags, day, max_gap=2)
    assert merged == [Incident(dt.date(2025, 3, 2), dt.date(2025, 3, 8), 4)]


def test_incidents_follow_the_calendar_not_the_array():
    dates = pd.to_datetime(["2025-03-05", "2025-03-01", "2025-03-02", "2025-03-04"])
    assert incidents([True, True, True, True], dates) == [
        Incident(dt.date(2025, 3, 1), dt.date(2025, 3, 2), 2),
        Incident(dt.date(2025, 3, 4), dt.date(2025, 3, 5), 2),
    ]
    assert incidents([False, False], [dt.date(2025, 1, 1), dt.date(2025, 1, 2)]) == []
    assert incidents([], dt.date(2025, 1, 1)) == []
    with pytest.raises(ValueError, match="3 flags but 2 dates"):
        incidents([True, False, True], ["2025-01-01", "2025-01-02"])
    with pytest.raises(ValueError, match="max_gap"):
        incidents([True], dt.date(2025, 1, 1), max_gap=-1)


# --------------------------------------------------------------------------- scan


def long_frame(series: dict[str, tuple[dt.date, np.ndarray]]) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"series": key, "date": pd.date_range(start, periods=len(v)), "value": v})
        for key, (start, v) in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_scan_gives_each_series_what_it_gets_alone():
    series = {
        "search:ctr": (MONDAY, weekly_series(200, seed=1)),
        "social:spend": (dt.date(2025, 2, 13), weekly_series(150, seed=2, level=50)),
        "video:cvr": (dt.date(2024, 11, 30), weekly_series(260, seed=3, level=0.04)),
    }
    series["search:ctr"][1][170] *= 2
    series["social:spend"][1][120] = np.nan
    frame = long_frame(series).sample(frac=1.0, random_state=0)  # any row order
    frame.index = frame.index + 1000
    result = scan(frame)
    assert list(frame.columns) == ["series", "date", "value"], "the input is left alone"
    assert result.index.equals(frame.index)
    assert list(result.columns) == [
        "series",
        "date",
        "value",
        "expected",
        "low",
        "high",
        "score",
        "flag",
    ]
    for key, (start, values) in series.items():
        alone = robust_seasonal(values, start)
        mine = result[result["series"] == key].sort_values("date")
        np.testing.assert_array_equal(mine["flag"].to_numpy(), alone.flag)
        np.testing.assert_allclose(mine["expected"].to_numpy(), alone.expected, equal_nan=True)
        np.testing.assert_allclose(mine["score"].to_numpy(), alone.score, equal_nan=True)
    assert result.loc[result["flag"], "series"].tolist() == ["search:ctr"]


def test_scan_treats_absent_dates_as_missing_days():
    values = weekly_series(200)
    values[160] *= 2
    frame = long_frame({"a": (MONDAY, values)})
    holes = frame.drop(index=[100, 101, 102])
    with_nan = frame.copy()
    with_nan.loc[[100, 101, 102], "value"] = np.nan
    a = scan(holes)
    b = scan(with_nan).drop(index=[100, 101, 102])
    np.testing.assert_allclose(a["score"], b["score"], equal_nan=True)
    assert a.loc[a["flag"], "date"].tolist() == [pd.Timestamp(MONDAY) + pd.Timedelta(days=160)]


def test_scan_rejects_duplicates_and_missing_columns():
    frame = long_frame({"a": (MONDAY, np.ones(10))})
    doubled = pd.concat([frame, frame.iloc[[3]]])
    with pytest.raises(ValueError, match="two rows for series 'a' on 2025-01-09"):
        scan(doubled)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['value'\]"):
        scan(frame.rename(columns={"value": "ctr"}))
    assert scan(frame.rename(columns={"value": "ctr"}), value_col="ctr")["flag"].sum() == 0


def test_scan_reads_time_zone_aware_dates_as_local_days():
    values = weekly_series(150)
    values[120] *= 2
    naive = long_frame({"a": (MONDAY, values)})
    aware = naive.assign(date=naive["date"].dt.tz_localize("Asia/Shanghai"))
    np.testing.assert_array_equal(scan(aware)["flag"], scan(naive)["flag"])
    assert scan(aware)["flag"].sum() == 1


def test_scan_of_an_empty_frame():
    empty = pd.DataFrame({"series": [], "date": pd.to_datetime([]), "value": []})
    out = scan(empty)
    assert out.empty and "flag" in out.columns
    assert scan_incidents(out).empty


def test_scan_incidents_one_row_per_run():
    a = weekly_series(200, seed=1)
    b = weekly_series(200, seed=2)
    a[[150, 151, 152, 180]] *= 2.5
    b[120] *= 0.2
    result = scan(long_frame({"a": (MONDAY, a), "b": (MONDAY, b)}))
    found = scan_incidents(result)
    assert found["series"].tolist() == ["a", "a", "b"]
    assert found["days"].tolist() == [3, 1, 1]
    start = pd.Timestamp(MONDAY)
    assert found["start"].tolist() == [start + pd.Timedelta(days=d) for d in (150, 180, 120)]
    assert found["end"].iloc[0] == start + pd.Timedelta(days=152)
    assert found["peak_score"].iloc[2] < -3.5
    assert len(scan_incidents(result, max_gap=30)) == 2


def test_scan_is_vectorised():
    rng = np.random.default_rng(11)
    n_series, n_days = 300, 365
    weekday = np.arange(n_days) % 7
    levels = rng.uniform(10, 10_000, n_series)[:, None]
    values = levels * WEEKLY[weekday] * (1 + 0.05 * rng.standard_normal((n_series, n_days)))
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(n_series), n_days),
            "date": np.tile(pd.date_range(MONDAY, periods=n_days).to_numpy(), n_series),
            "value": values.ravel(),
        }
    )
    started = time.perf_counter()
    result = scan(frame)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{len(frame)} rows took {elapsed:.2f}s"
    assert result["flag"].mean() < 0.01
