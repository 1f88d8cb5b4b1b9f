"""Rates and funnels: definitions on hand-checked numbers, zero denominators, period boundaries."""

from __future__ import annotations

import datetime as dt
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analytics.funnel import (
    COUNT_COLUMNS,
    DEFAULT_STAGES,
    METRIC_COLUMNS,
    RATES,
    add_rates,
    cpa,
    cpc,
    ctr,
    cvr,
    funnel,
    period_start,
    ratio,
    ratio_or_none,
    roas,
    stage_columns,
    validate_stages,
)

FAST = settings(max_examples=40, deadline=None, derandomize=True)


def rows(*records: dict[str, object]) -> pd.DataFrame:
    """Daily metric rows; metrics left out are 0."""
    full = [{**dict.fromkeys(METRIC_COLUMNS, 0), **r} for r in records]
    return pd.DataFrame(full)


# --------------------------------------------------------------------------- rates


def test_rate_definitions_on_hand_checked_numbers():
    # 1,000 impressions, 40 clicks, 4 conversions, 120.00 spent, 360.00 earned.
    assert float(ctr(40, 1000)) == pytest.approx(0.04)
    assert float(cvr(4, 40)) == pytest.approx(0.10)
    assert float(cpc(120, 40)) == pytest.approx(3.0)
    assert float(cpa(120, 4)) == pytest.approx(30.0)
    assert float(roas(360, 120)) == pytest.approx(3.0)


def test_zero_denominators_give_nan_arrays_and_none_scalars_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (division by zero) would fail
        values = ctr([10, 0, 5, np.nan], [100, 0, 0, 50])
        assert values[0] == pytest.approx(0.1)
        assert np.isnan(values[1:]).all()
        assert not np.isinf(values).any()
        assert np.isnan(cpa(50.0, 0)), "spend without conversions: CPA is not defined"
        assert np.isnan(roas(0, 0))
    assert ratio_or_none(1, 0) is None
    assert ratio_or_none(None, 5) is None
    assert ratio_or_none(float("nan"), 5) is None
    assert ratio_or_none(0, 5) == 0.0
    assert ratio_or_none(3, 4) == 0.75


def test_rate_table_matches_the_functions():
    assert [(r.code, r.numerator, r.denominator) for r in RATES] == [
        ("ctr", "clicks", "impressions"),
        ("cvr", "conversions", "clicks"),
        ("cpc", "spend", "clicks"),
        ("cpa", "spend", "conversions"),
        ("roas", "revenue", "spend"),
    ]


def test_ratio_broadcasts_and_keeps_shape():
    assert ratio([[1, 2], [3, 4]], 2).tolist() == [[0.5, 1.0], [1.5, 2.0]]
    assert ratio(1, 4).shape == ()


@FAST
@given(
    st.lists(st.floats(0, 1e9), min_size=1, max_size=20),
    st.lists(st.sampled_from([0.0, 1.0, 3.0, 1e6]), min_size=1, max_size=20),
)
def test_ratio_is_never_infinite(numerators, denominators):
    n = min(len(numerators), len(denominators))
    values = ratio(numerators[:n], denominators[:n])
    assert not np.isinf(values).any()
    assert np.isnan(values[np.asarray(denominators[:n]) == 0]).all()


# --------------------------------------------------------------------------- stages


def test_stages_are_validated_with_clear_messages():
    assert validate_stages(["clicks", "conversions"]) == ("clicks", "conversions")
    assert validate_stages(DEFAULT_STAGES) == DEFAULT_STAGES
    # The order is the user's: any ordered subset of the count columns.
    assert validate_stages(["visits", "new_users", "signups"]) == ("visits", "new_users", "signups")
    with pytest.raises(ValueError, match="at least 2 stages"):
        validate_stages(["clicks"])
    with pytest.raises(ValueError, match="at least 2 stages"):
        validate_stages([])
    with pytest.raises(ValueError, match=r"unknown funnel stage\(s\) \['spend'\]"):
        validate_stages(["clicks", "spend"])
    with pytest.raises(ValueError, match=r"\['clicks'\] appear more than once"):
        validate_stages(["impressions", "clicks", "clicks"])
    with pytest.raises(ValueError, match="not the string"):
        validate_stages("clicks")


def test_stage_conversion_and_drop_off_on_hand_checked_numbers():
    day = rows(
        {
            "date": "2025-03-03",
            "impressions": 1000,
            "clicks": 50,
            "visits": 40,
            "signups": 10,
            "conversions": 0,
        }
    )
    out = funnel(day).iloc[0]
    assert out["impressions_to_clicks"] == pytest.approx(0.05)
    assert out["impressions_to_clicks_drop_off"] == pytest.approx(0.95)
    assert out["clicks_to_visits"] == pytest.approx(0.8)
    assert out["visits_to_signups"] == pytest.approx(0.25)
    assert out["visits_to_signups_drop_off"] == pytest.approx(0.75)
    assert out["signups_to_conversions"] == 0.0
    assert out["signups_to_conversions_drop_off"] == 1.0
    assert stage_columns(DEFAULT_STAGES)[0] == (
        "impressions_to_clicks",
        "impressions_to_clicks_drop_off",
    )


def test_stage_after_an_empty_stage_is_nan_and_not_clipped_above_one():
    day = rows({"date": "2025-03-03", "impressions": 100, "clicks": 10, "visits": 12})
    out = funnel(day, stages=["impressions", "clicks", "visits", "signups", "conversions"])
    row = out.iloc[0]
    assert row["clicks_to_visits"] == pytest.approx(1.2), "tracking says more visits than clicks"
    assert row["clicks_to_visits_drop_off"] == pytest.approx(-0.2)
    assert row["visits_to_signups"] == 0.0
    assert math.isnan(row["signups_to_conversions"]), "no sign-ups: 0 ÷ 0 is not defined"
    assert math.isnan(row["signups_to_conversions_drop_off"])


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("day", "period", "start"),
    [
        ("2024-01-07", "week", "2024-01-01"),  # Sunday ends the ISO week
        ("2024-01-08", "week", "2024-01-08"),  # Monday starts the next
        ("2025-01-01", "week", "2024-12-30"),  # an ISO week spans the new year
        ("2024-02-29", "month", "2024-02-01"),
        ("2024-03-31", "quarter", "2024-01-01"),
        ("2024-04-01", "quarter", "2024-04-01"),
        ("2024-09-30", "quarter", "2024-07-01"),
        ("2024-12-31", "quarter", "2024-10-01"),
        ("2024-12-31", "year", "2024-01-01"),
        ("1969-12-31", "quarter", "1969-10-01"),  # before the epoch too
        ("1969-12-31", "week", "1969-12-29"),
        ("2024-05-05", "day", "2024-05-05"),
    ],
)
def test_period_start(day, period, start):
    assert period_start([day], period)[0] == np.datetime64(start)


def test_period_start_drops_the_time_of_day_and_rejects_unknown_periods():
    assert period_start([pd.Timestamp("2024-05-05 23:30")], "day")[0] == np.datetime64("2024-05-05")
    assert period_start([dt.date(2024, 5, 5)], "month")[0] == np.datetime64("2024-05-01")
    late_in_shanghai = pd.Series(pd.to_datetime(["2024-03-31 23:30"]).tz_localize("Asia/Shanghai"))
    assert period_start(late_in_shanghai, "quarter")[0] == np.datetime64("2024-01-01")
    with pytest.raises(ValueError, match="unknown period 'fortnight'"):
        period_start(["2024-05-05"], "fortnight")  # type: ignore[arg-type]


def test_weekly_funnel_sums_across_the_week_boundary_correctly():
    df = rows(
        {"date": "2024-01-07", "impressions": 100, "clicks": 10},  # Sunday
        {"date": "2024-01-08", "impressions": 300, "clicks": 6},  # Monday
        {"date": "2024-01-14", "impressions": 100, "clicks": 4},  # Sunday
    )
    out = funnel(df, stages=["impressions", "clicks"], period="week")
    assert out["period_start"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert out["impressions"].tolist() == [100, 400]
    assert out["ctr"].tolist() == pytest.approx([0.1, 0.025])


def test_rates_are_computed_on_sums_not_averaged_from_days():
    df = rows(
        {"date": "2024-03-01", "impressions": 10, "clicks": 5, "spend": 5},  # CTR 50%
        {"date": "2024-03-02", "impressions": 990, "clicks": 5, "spend": 95},  # CTR ~0.5%
    )
    month = funnel(df, period="month").iloc[0]
    # 10 clicks ÷ 1,000 impressions — not (0.5 + 0.00505) ÷ 2 ≈ 0.2525.
    assert month["ctr"] == pytest.approx(0.01)
    assert month["cpc"] == pytest.approx(10.0)  # 100 spent ÷ 10 clicks


def test_quarterly_funnel_by_channel():
    df = rows(
        {"date": "2024-03-31", "channel": "search", "clicks": 10, "conversions": 1, "spend": 50},
        {"date": "2024-04-01", "channel": "search", "clicks": 20, "conversions": 4, "spend": 80},
        {"date": "2024-02-10", "channel": "social", "clicks": 30, "conversions": 0, "spend": 60},
        {"date": "2024-01-01", "channel": "search", "clicks": 10, "conversions": 1, "spend": 10},
    )
    out = funnel(df, stages=["clicks", "conversions"], group_by="channel", period="quarter")
    got = {(r.period_start.date().isoformat(), r.channel): r for r in out.itertuples()}
    assert list(got) == [
        ("2024-01-01", "search"),
        ("2024-01-01", "social"),
        ("2024-04-01", "search"),
    ]
    q1_search = got[("2024-01-01", "search")]
    assert (q1_search.clicks, q1_search.conversions, q1_search.spend) == (20, 2, 60)
    assert q1_search.cvr == pytest.approx(0.1)
    assert q1_search.cpa == pytest.approx(30.0)
    assert math.isnan(got[("2024-01-01", "social")].cpa), "spend without conversions"
    assert got[("2024-04-01", "search")].cpa == pytest.approx(20.0)


def test_campaign_grouping_keeps_rows_without_a_campaign_together():
    df = rows(
        {"date": "2024-06-03", "campaign": "618", "impressions": 100, "clicks": 3},
        {"date": "2024-06-04", "campaign": None, "impressions": 50, "clicks": 1},
        {"date": "2024-06-05", "campaign": None, "impressions": 50, "clicks": 1},
    )
    out = funnel(df, stages=["impressions", "clicks"], group_by="campaign", period="week")
    assert len(out) == 2
    assert out["campaign"].iloc[0] == "618"
    assert pd.isna(out["campaign"].iloc[1])
    assert out["impressions"].tolist() == [100, 100]


def test_missing_values_are_skipped_and_absent_columns_are_nan():
    df = pd.DataFrame(
        {
            "date": ["2024-01-01", "2024-01-02"],
            "impressions": [100, np.nan],
            "clicks": [5, 5],
            "spend": [np.nan, np.nan],
        }
    )
    out = funnel(df, stages=["impressions", "clicks"], period="month").iloc[0]
    assert out["impressions"] == 100
    assert out["clicks"] == 10
    assert math.isnan(out["spend"]), "only missing values: the sum is missing"
    assert math.isnan(out["revenue"]), "absent column"
    assert math.isnan(out["roas"])


def test_result_columns_and_empty_frame():
    empty = pd.DataFrame(columns=["date", "channel", *METRIC_COLUMNS])
    out = funnel(empty, group_by="channel", period="week")
    assert out.empty
    expected = ["period_start", "channel", *METRIC_COLUMNS]
    for conversion, drop_off in stage_columns(DEFAULT_STAGES):
        expected += [conversion, drop_off]
    expected += ["ctr", "cvr", "cpc", "cpa", "roas"]
    assert list(out.columns) == expected


def test_funnel_rejects_bad_arguments():
    df = rows({"date": "2024-01-01", "clicks": 1})
    with pytest.raises(ValueError, match="unknown period"):
        funnel(df, period="hour")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown grouping 'region'"):
        funnel(df, group_by="region")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['channel'\]"):
        funnel(df, group_by="channel")
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['visits'\]"):
        funnel(df.drop(columns="visits"))
    with pytest.raises(ValueError, match="no date"):
        funnel(rows({"date": None, "clicks": 1}))


def test_add_rates_on_any_summed_frame():
    totals = pd.DataFrame({"impressions": [200.0], "clicks": [4.0], "spend": [8.0]})
    out = add_rates(totals, ["impressions", "clicks"])
    assert out["ctr"].iloc[0] == pytest.approx(0.02)
    assert out["cpc"].iloc[0] == pytest.approx(2.0)
    assert math.isnan(out["roas"].iloc[0])
    assert "ctr" not in totals.columns, "the input is not modified"


@FAST
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2023, 12, 1), dt.date(2025, 2, 1)),
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 1000),
            st.integers(0, 100),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["day", "week", "month", "quarter", "year"]),
)
def test_grouping_conserves_totals(records, period):
    df = rows(
        *(
            {"date": d, "channel": c, "impressions": i, "clicks": min(k, i)}
            for d, c, i, k in records
        )
    )
    out = funnel(df, stages=["impressions", "clicks"], group_by="channel", period=period)
    assert out["impressions"].sum() == df["impressions"].sum()
    assert out["clicks"].sum() == df["clicks"].sum()
    assert not out.duplicated(["period_start", "channel"]).any()
    assert not np.isinf(out[["ctr", "impressions_to_clicks"]].to_numpy()).any()


def test_a_year_of_24_channels_is_fast():
    rng = np.random.default_rng(7)
    days = pd.date_range("2025-01-01", "2025-12-31")
    channels = [f"ch{i:02d}" for i in range(24)]
    index = pd.MultiIndex.from_product([days, channels], names=["date", "channel"])
    df = pd.DataFrame(
        rng.integers(0, 10_000, size=(len(index), len(METRIC_COLUMNS))),
        columns=list(METRIC_COLUMNS),
        index=index,
    ).reset_index()
    started = time.perf_counter()
    for period in ("day", "week", "month", "quarter", "year"):
        out = funnel(df, group_by="channel", period=period)
    elapsed = time.perf_counter() - started
    assert len(out) == 24
    assert out["impressions"].sum() == df["impressions"].sum()
    assert elapsed < 2.0, f"five funnels over {len(df)} rows took {elapsed:.2f}s"
    assert set(COUNT_COLUMNS) <= set(out.columns)
