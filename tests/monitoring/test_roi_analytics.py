"""The ROI model's pure functions: ROI arithmetic, LTV from cohorts, response curves and
scenarios (no database)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest

from monitoring.analytics import ltv, response, roi

D = Decimal


def test_roi_on_revenue_basis_counts_media_spend_only():
    f = roi.figures(revenue=D("3000"), spend=D("1000"), conversions=50, impressions=200000)
    assert f.value == D("3000.00") and f.cost == D("1000")
    assert f.roi == pytest.approx(2.0)  # (3000 − 1000) ÷ 1000
    assert f.roas == pytest.approx(3.0)
    assert f.cpa == pytest.approx(20.0)
    assert f.cpm == pytest.approx(5.0)  # 1000 ÷ 200000 × 1000


def test_roi_on_margin_basis_with_production_costs():
    f = roi.figures(revenue=D("3000"), spend=D("1000"), other_costs=D("200"), value_share=D("0.35"))
    assert f.value == D("1050.00")  # 3000 × 35 %
    assert f.cost == D("1200")
    assert f.roi == pytest.approx((1050 - 1200) / 1200)
    assert f.roas == pytest.approx(3.0)  # ROAS stays revenue ÷ media spend


def test_zero_cost_gives_no_roi_instead_of_dividing_by_zero():
    f = roi.figures(revenue=D("500"), spend=D("0"))
    assert f.roi is None and f.roas is None and f.cpa is None and f.cpm is None


def test_ltv_corrected_roi_adds_the_future_value_to_the_in_period_value():
    f = roi.figures(
        revenue=D("100"), spend=D("1000"), new_users=20, ltv_per_user=80.0, future_value=600.0
    )
    assert f.value == D("100.00")
    assert f.future_value == D("600.00")
    assert f.ltv_value == D("700.00")  # 100 in period + 600 after it
    assert f.roi == pytest.approx(-0.9)
    assert f.roi_ltv == pytest.approx(-0.3)
    # never below the in-period figure, and none without an LTV
    low = roi.figures(revenue=D("100"), spend=D("1000"), future_value=-5.0)
    assert low.future_value == D("0.00") and low.roi_ltv == low.roi
    assert roi.figures(revenue=D("100"), spend=D("1000")).roi_ltv is None


def test_future_value_is_the_ltv_tail_after_the_period():
    # retention 1, .5, .25; ARPU 100; margin .5: monthly 50, 25, 12.5
    result = ltv.lifetime_value(
        [ltv.Cohort(100, [0.5, 0.25], 100.0)], horizon_months=3, annual_discount=0.0, margin=0.5
    )
    assert result is not None
    assert result.tail == pytest.approx([87.5, 37.5, 12.5, 0.0])
    # 10 users acquired in the last month (1 month in the period), 4 two months before
    # its end, 2 long before (nothing left of the horizon)
    assert ltv.future_value(result, {1: 10, 2: 4, 7: 2}) == pytest.approx(375 + 50)
    assert ltv.future_value(result, {}) == 0.0
    assert ltv.future_value(result, {1: 0}) == 0.0
    with pytest.raises(ValueError, match="at least one month"):
        ltv.future_value(result, {0: 5})


def test_split_adds_up_to_the_cent():
    parts = roi.split(D("100.00"), {1: D("1"), 2: D("1"), 3: D("1")})
    assert sum(parts.values()) == D("100.00")
    assert roi.split(D("10"), {}) == {}
    assert roi.split(D("9"), {4: D(0), 5: D(0)}) == {4: D("4.50"), 5: D("4.50")}


# --- LTV ----------------------------------------------------------------------------------------


def test_ltv_of_a_hand_computed_cohort():
    # month 0 = 1, then 50 %, 25 %; ARPU 100, no discount, revenue basis
    result = ltv.lifetime_value(
        [ltv.Cohort(100, [0.5, 0.25], 100.0)], horizon_months=3, annual_discount=0.0
    )
    assert result is not None
    assert result.per_user == pytest.approx(175.0)


def test_ltv_extrapolates_with_a_power_law_and_discounts():
    # the power law through (1, .5), (2, .25) is r = .5 / k: month 3 = 1/6
    result = ltv.lifetime_value(
        [ltv.Cohort(100, [0.5, 0.25], 100.0)], horizon_months=4, annual_discount=0.0
    )
    assert result.curve == pytest.approx([1, 0.5, 0.25, 1 / 6])
    assert result.per_user == pytest.approx(100 * (1.75 + 1 / 6))
    m = ltv.monthly_rate(0.12)
    discounted = ltv.lifetime_value(
        [ltv.Cohort(100, [0.5, 0.25], 100.0)], horizon_months=3, annual_discount=0.12, margin=0.35
    )
    assert discounted.per_user == pytest.approx(35 * (1 + 0.5 / (1 + m) + 0.25 / (1 + m) ** 2))


def test_ltv_blends_cohorts_by_users():
    result = ltv.lifetime_value(
        [ltv.Cohort(300, [0.6], 10.0), ltv.Cohort(100, [0.2, 0.1], 30.0)],
        horizon_months=3,
        annual_discount=0.0,
    )
    # month 1: (300 × .6 + 100 × .2) ÷ 400 = .5; month 2 only the second cohort: .1
    assert result.curve == pytest.approx([1, 0.5, 0.1])
    assert result.arpu == pytest.approx(15.0)  # (300 × 10 + 100 × 30) ÷ 400


def test_ltv_edge_cases():
    assert ltv.lifetime_value([], horizon_months=12, annual_discount=0.1) is None
    assert (
        ltv.lifetime_value([ltv.Cohort(0, [0.5], 10)], horizon_months=3, annual_discount=0) is None
    )
    only_month_zero = ltv.lifetime_value(
        [ltv.Cohort(10, [], 40.0)], horizon_months=6, annual_discount=0
    )
    assert only_month_zero.per_user == pytest.approx(40.0)
    gone = ltv.retention_curve([0.3, 0.0], 5)
    assert list(gone) == [1, 0.3, 0, 0, 0]
    geometric = ltv.retention_curve([0.5], 4)
    assert list(geometric) == pytest.approx([1, 0.5, 0.25, 0.125])
    assert list(ltv.retention_curve([float("nan"), 0.2], 3)) == [1, 0, 0.2]


# --- response curves ----------------------------------------------------------------------------


def _synthetic(seed: int = 7, weeks: int = 52) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    spend = rng.uniform(2_000, 30_000, weeks)
    revenue = 80_000 * spend**1.3 / (spend**1.3 + 10_000**1.3) * rng.lognormal(0, 0.02, weeks)
    return spend, revenue


def test_the_fit_recovers_known_hill_parameters():
    spend, revenue = _synthetic()
    fit = response.fit_channel(spend, revenue, resamples=20)
    assert fit.status == response.FITTED
    assert fit.curve.half == pytest.approx(10_000, rel=0.1)
    assert fit.curve.shape == pytest.approx(1.3, abs=0.15)
    assert fit.curve.top == pytest.approx(80_000, rel=0.1)
    assert fit.r2 > 0.98
    assert len(fit.samples) == 20


def test_the_bootstrap_is_seeded():
    spend, revenue = _synthetic()
    a = response.fit_channel(spend, revenue, resamples=10)
    b = response.fit_channel(spend, revenue, resamples=10)
    assert a.samples == b.samples


def test_too_few_weeks_stay_linear_and_zero_spend_is_constant():
    spend, revenue = _synthetic(weeks=5)
    few = response.fit_channel(spend, revenue, resamples=10)
    assert few.status == response.FEW_WEEKS and few.curve.kind == response.LINEAR
    assert few.curve.slope == pytest.approx(revenue.sum() / spend.sum())
    none = response.fit_channel([0, 0, 0], [10, 20, 30])
    assert none.status == response.NO_SPEND and none.curve.revenue(np.array([5.0]))[0] == 20
    flat = response.fit_channel([100.0] * 12, [300.0] * 12)
    assert flat.status == response.FLAT and flat.curve.slope == pytest.approx(3.0)


def _fits() -> tuple[dict[str, response.Fit], dict[str, np.ndarray]]:
    spend, revenue = _synthetic()
    other_spend, other_revenue = _synthetic(seed=3)
    fits = {
        "a": response.fit_channel(spend, revenue, resamples=30),
        "b": response.fit_channel(other_spend * 0.5, other_revenue * 0.6, resamples=30),
    }
    return fits, {"a": spend, "b": other_spend * 0.5}


def test_more_budget_gives_more_revenue_at_a_lower_marginal_roi():
    fits, base = _fits()
    outcomes = [
        response.evaluate(fits, response.total_change(base, c), value_share=0.35)
        for c in (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3)
    ]
    revenues = [o.revenue for o in outcomes]
    assert revenues == sorted(revenues)
    marginal = [(b.revenue - a.revenue) / (b.spend - a.spend) for a, b in pairwise(outcomes)]
    assert all(later < earlier for earlier, later in pairwise(marginal))
    rois = [o.roi for o in outcomes]
    assert rois == sorted(rois, reverse=True)  # the average ROI falls as the budget grows
    for o in outcomes:
        assert o.roi_low <= o.roi_high


def test_removing_a_channel_drops_its_revenue_and_spend():
    fits, base = _fits()
    full = response.evaluate(fits, base)
    without = response.evaluate(fits, response.removed(base, "b"))
    only_a = fits["a"].curve.revenue(base["a"]).sum()
    assert without.revenue == pytest.approx(only_a)
    assert without.spend == pytest.approx(base["a"].sum())
    assert full.revenue > without.revenue
    with pytest.raises(KeyError):
        response.removed(base, "zzz")


def test_moving_budget_keeps_the_total_spend():
    _fits_unused, base = _fits()
    moved = response.moved(base, "a", "b", 0.2)
    assert sum(v.sum() for v in moved.values()) == pytest.approx(
        sum(v.sum() for v in base.values())
    )
    assert moved["a"].sum() == pytest.approx(base["a"].sum() * 0.8)
    with pytest.raises(ValueError, match="between 0 and 1"):
        response.moved(base, "a", "b", 1.5)
    changed = response.adjusted(base, {"a": -0.1, "b": 0.15})
    assert changed["b"].sum() == pytest.approx(base["b"].sum() * 1.15)
    assert "a" not in response.adjusted(base, {"a": -1})


def test_zero_cost_scenario_has_no_roi():
    fits = {"x": response.fit_channel([0, 0], [5, 5])}
    out = response.evaluate(fits, {"x": np.zeros(2)})
    assert out.roi is None and out.revenue == pytest.approx(10)
