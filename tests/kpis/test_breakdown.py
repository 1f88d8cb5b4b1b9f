"""Annual target → quarters → months (or channels, regions): pure functions, no database."""

from __future__ import annotations

import ast
import importlib.util
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpis.breakdown import (
    PROFILES,
    RULE_TEXT,
    BreakdownError,
    Reconciliation,
    aggregate,
    quarter_values,
    rebalance,
    reconcile,
    rule_for,
    seasonal_weights,
    set_quarter,
    split,
    spring_festival_month,
)

FAST = settings(max_examples=80, deadline=None)


def D(*values):
    return [Decimal(str(v)) for v in values]


ONES = D(*[1] * 12)


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("unit", "rule"),
    [("count", "sum"), ("money", "sum"), ("percent", "weighted"), ("ratio", "weighted")],
)
def test_counts_and_money_add_up_and_rates_average(unit, rule):
    assert rule_for(unit) == rule


def test_an_unknown_unit_has_no_rule():
    with pytest.raises(ValueError, match="unknown unit 'days'"):
        rule_for("days")


def test_each_rule_has_one_sentence_for_users():
    assert set(RULE_TEXT) == {"sum", "weighted"}
    assert RULE_TEXT["sum"] == "The months, channels or regions add up to the annual target."
    assert "weighted average" in RULE_TEXT["weighted"]


# --------------------------------------------------------------------------- split


def test_split_sum_follows_the_weights():
    assert split(Decimal(1200), ONES, "sum", places=0) == D(*[100] * 12)
    assert split(Decimal(100), D(1, 3), "sum", places=0) == D(25, 75)


def test_split_sum_adds_up_exactly_despite_rounding():
    parts = split(Decimal(100), D(1, 1, 1), "sum", places=0)
    assert parts == D(34, 33, 33)
    assert sum(parts) == 100
    parts = split(Decimal("10.00"), ONES, "sum", places=2)
    assert sum(parts) == Decimal("10.00")
    assert set(parts) == {Decimal("0.83"), Decimal("0.84")}


def test_split_sum_gives_the_leftover_to_the_largest_remainders():
    # exact shares 1.6, 1.2, 1.2 → floors 1, 1, 1 → the one unit left goes to the 0.6 remainder
    assert split(Decimal(4), D(4, 3, 3), "sum", places=0) == D(2, 1, 1)


def test_split_sum_never_makes_a_part_negative_when_every_share_rounds_up():
    # Twelve exact shares of 0.5 would each round half up to 1; the parts must still add to 6.
    parts = split(Decimal(6), ONES, "sum", places=0)
    assert sum(parts) == 6
    assert all(part in (0, 1) for part in parts)


def test_split_sum_of_a_negative_annual_mirrors_the_positive_one():
    assert split(Decimal(-100), D(1, 1, 1), "sum", places=0) == D(-34, -33, -33)


def test_split_sum_with_a_zero_weight_leaves_that_part_at_zero():
    assert split(Decimal(10), D(1, 0, 1), "sum", places=0) == D(5, 0, 5)


def test_split_sum_puts_the_annuals_extra_decimals_on_the_largest_part():
    assert split(Decimal("100.5"), D(1, 2, 1), "sum", places=0) == D(25, "50.5", 25)
    assert split(Decimal("-100.5"), D(1, 2, 1), "sum", places=0) == D(-25, "-50.5", -25)


def test_split_sum_judges_decimals_by_value_not_by_spelling():
    assert split(Decimal("100.50"), D(1, 1), "sum", places=1) == D("50.3", "50.2")


def test_split_weighted_repeats_the_rate_in_every_part():
    assert split(Decimal("0.03456"), D(1, 5, 2), "weighted", places=4) == D(
        "0.0346", "0.0346", "0.0346"
    )


def test_split_works_for_any_number_of_parts():
    channels = split(Decimal(1000), D(5, 3, 2), "sum", places=0)
    assert channels == D(500, 300, 200)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "no parts"),
        (D(1, -1), "cannot be negative"),
        (D(0, 0), "add up to zero"),
    ],
)
def test_split_refuses_unusable_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        split(Decimal(10), weights, "sum", places=0)


def test_split_refuses_negative_places_and_unknown_rules():
    with pytest.raises(ValueError, match="places"):
        split(Decimal(10), D(1), "sum", places=-1)
    with pytest.raises(ValueError, match="unknown rule"):
        split(Decimal(10), D(1), "median", places=0)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- aggregate


def test_aggregate_sum_ignores_the_weights():
    assert aggregate(D(1, 2, 3), D(9, 9, 9), "sum") == 6


def test_aggregate_weighted_is_the_weighted_average():
    assert aggregate(D("0.02", "0.04"), D(3, 1), "weighted") == Decimal("0.025")


def test_aggregate_weighted_refuses_weights_that_add_up_to_zero():
    with pytest.raises(ValueError, match="no weighted average"):
        aggregate(D(1, 2), D(0, 0), "weighted")


def test_aggregate_refuses_values_and_weights_of_different_lengths():
    with pytest.raises(ValueError, match="3 values but 2 weights"):
        aggregate(D(1, 2, 3), D(1, 1), "sum")


# --------------------------------------------------------------------------- reconcile


def test_reconcile_sum_is_ok_only_when_the_parts_add_up():
    assert reconcile(Decimal(6), D(1, 2, 3), D(1, 1, 1), "sum", places=0) == Reconciliation(
        Decimal(6), Decimal(0), True
    )
    off = reconcile(Decimal(7), D(1, 2, 3), D(1, 1, 1), "sum", places=0)
    assert off == Reconciliation(Decimal(6), Decimal(-1), False)


def test_reconcile_weighted_allows_half_a_unit_of_the_rates_last_place():
    weights = D(1, 1, 1)
    values = D("0.0333", "0.0333", "0.0334")  # average 0.033333…
    assert reconcile(Decimal("0.0333"), values, weights, "weighted", places=4).ok
    assert not reconcile(Decimal("0.0335"), values, weights, "weighted", places=4).ok


# --------------------------------------------------------------------------- rebalance


def test_rebalance_sum_scales_the_unlocked_parts_in_proportion():
    result = rebalance(Decimal(130), D(10, 20, 40), D(1, 1, 1), "sum", locked={0}, places=0)
    assert result == D(10, 40, 80)


def test_rebalance_sum_spreads_evenly_over_unlocked_parts_that_are_all_zero():
    result = rebalance(Decimal(90), D(30, 0, 0, 0), D(1, 1, 1, 1), "sum", locked={0}, places=0)
    assert result == D(30, 20, 20, 20)


def test_rebalance_sum_adds_up_exactly_after_an_edit():
    months = split(Decimal(1000), ONES, "sum", places=0)
    months[3] = Decimal(250)
    result = rebalance(Decimal(1000), months, ONES, "sum", locked={3}, places=0)
    assert result[3] == 250
    assert sum(result) == 1000


def test_rebalance_refuses_when_all_months_are_locked():
    with pytest.raises(ValueError, match=r"^all months are locked$"):
        rebalance(Decimal(12), ONES, ONES, "sum", locked=set(range(12)), places=0)
    with pytest.raises(ValueError, match=r"^all parts are locked$"):
        rebalance(Decimal(2), D(1, 1), D(1, 1), "sum", locked={0, 1}, places=0)


def test_rebalance_refuses_rather_than_make_negative_counts():
    with pytest.raises(ValueError, match="more than the annual target") as caught:
        rebalance(Decimal(100), D(80, 30, 10), D(1, 1, 1), "sum", locked={0, 1}, places=0)
    assert str(caught.value) == (
        "the locked parts already add up to 110, more than the annual target 100; "
        "unlock some or lower them"
    )


def test_rebalance_allows_negative_parts_when_the_figures_are_already_signed():
    result = rebalance(Decimal(-10), D(5, -5, 0), D(1, 1, 1), "sum", locked={0}, places=0)
    assert result[0] == 5
    assert sum(result) == -10


def test_rebalance_refuses_a_locked_index_that_does_not_exist():
    with pytest.raises(ValueError, match="no part 12"):
        rebalance(Decimal(12), ONES, ONES, "sum", locked={12}, places=0)


def test_rebalance_weighted_scales_unlocked_rates_to_restore_the_average():
    values = D("0.02", "0.02", "0.04")
    result = rebalance(Decimal("0.03"), values, D(1, 1, 1), "weighted", locked={0}, places=4)
    assert result == D("0.02", "0.0233", "0.0467")
    assert reconcile(Decimal("0.03"), result, D(1, 1, 1), "weighted", places=4).ok


def test_rebalance_weighted_sets_unlocked_zero_rates_to_one_level():
    weights = D(2, 1, 1)
    result = rebalance(Decimal("0.04"), D("0.06", 0, 0), weights, "weighted", locked={0}, places=4)
    assert result == D("0.06", "0.02", "0.02")
    assert aggregate(result, weights, "weighted") == Decimal("0.04")


def test_rebalance_spreads_evenly_when_unlocked_parts_have_mixed_signs():
    result = rebalance(Decimal(10), D(4, -3, 3), D(1, 1, 1), "sum", locked={0}, places=0)
    assert result == D(4, 3, 3)


def test_rebalance_weighted_refuses_when_locked_rates_alone_overshoot():
    with pytest.raises(ValueError, match=r"already average more than the annual target 0\.01"):
        rebalance(Decimal("0.01"), D("0.09", "0.01"), D(1, 1), "weighted", locked={0}, places=4)


def test_rebalance_weighted_refuses_unlocked_parts_that_weigh_nothing():
    with pytest.raises(ValueError, match="weight 0"):
        rebalance(Decimal("0.05"), D("0.02", "0.04"), D(1, 0), "weighted", locked={0}, places=4)


# --------------------------------------------------------------------------- quarters


def test_quarter_values_sum_three_months_each():
    months = D(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
    assert quarter_values(months, ONES, "sum") == D(6, 15, 24, 33)


def test_quarter_values_weighted_average_within_each_quarter():
    rates = D("0.01", "0.02", "0.03", *["0.05"] * 9)
    weights = D(2, 1, 1, *[1] * 9)
    assert quarter_values(rates, weights, "weighted") == D("0.0175", "0.05", "0.05", "0.05")


def test_quarter_functions_need_twelve_months():
    with pytest.raises(ValueError, match="12 months, not 4"):
        quarter_values(D(1, 2, 3, 4), D(1, 1, 1, 1), "sum")


def test_set_quarter_sum_scales_its_months_and_leaves_the_others():
    months = D(10, 20, 30, *[5] * 9)
    result = set_quarter(months, ONES, "sum", quarter=1, total=Decimal(120), places=0)
    assert result == D(20, 40, 60, *[5] * 9)


def test_set_quarter_sum_spreads_evenly_over_empty_months():
    months = D(*[0] * 12)
    result = set_quarter(months, ONES, "sum", quarter=4, total=Decimal(100), places=0)
    assert result[9:] == D(34, 33, 33)
    assert result[:9] == D(*[0] * 9)


def test_set_quarter_weighted_sets_the_quarters_average():
    rates = D(*["0.02"] * 12)
    result = set_quarter(rates, ONES, "weighted", quarter=2, total=Decimal("0.03"), places=4)
    assert result[3:6] == D("0.03", "0.03", "0.03")
    assert quarter_values(result, ONES, "weighted")[1] == Decimal("0.03")


def test_set_quarter_refuses_a_fifth_quarter():
    with pytest.raises(ValueError, match="quarter must be 1, 2, 3 or 4"):
        set_quarter(ONES, ONES, "sum", quarter=5, total=Decimal(3), places=0)


# --------------------------------------------------------------------------- seasonality


def test_profiles_are_listed():
    assert PROFILES == ("even", "china_retail", "b2b")


def test_even_profile_is_flat():
    assert seasonal_weights("even", 2026) == ONES


@pytest.mark.parametrize(("year", "month"), [(2023, 1), (2024, 2), (2025, 1), (2026, 2)])
def test_spring_festival_month_follows_the_lunar_calendar(year, month):
    assert spring_festival_month(year) == month


def test_spring_festival_month_refuses_years_outside_the_calendar():
    with pytest.raises(ValueError, match="year 0 is out of range"):
        seasonal_weights("china_retail", 0)


def test_china_retail_peaks_in_february_when_the_festival_is_in_february():
    weights = seasonal_weights("china_retail", 2026)  # Lunar New Year 2026-02-17
    assert weights[:2] == D("1.2", "1.5")


def test_china_retail_peaks_in_january_when_the_festival_is_in_january():
    weights = seasonal_weights("china_retail", 2023)  # Lunar New Year 2023-01-22
    assert weights[:2] == D("1.5", "0.9")


@pytest.mark.parametrize("year", [2023, 2026])
def test_china_retail_shopping_festivals_and_quiet_months(year):
    weights = seasonal_weights("china_retail", year)
    assert max(weights) == weights[10] == Decimal("1.8")  # Double 11, the biggest
    assert weights[5] == Decimal("1.4")  # 618
    assert weights[11] == Decimal("1.3")  # Double 12
    assert min(weights[2:]) == weights[2] == weights[7] == weights[8] == Decimal("0.8")


def test_b2b_is_quiet_in_winter_and_august_and_busy_in_spring_and_autumn():
    weights = seasonal_weights("b2b", 2026)
    quiet = [weights[i] for i in (0, 1, 7, 11)]
    busy = [weights[i] for i in (2, 3, 4, 5, 8, 9, 10)]
    assert max(quiet) < min(busy)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_has_twelve_positive_weights(profile):
    weights = seasonal_weights(profile, 2026)
    assert len(weights) == 12
    assert all(isinstance(w, Decimal) and w > 0 for w in weights)


def test_an_unknown_profile_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of even, china_retail, b2b"):
        seasonal_weights("summer", 2026)


def test_a_seasonal_split_adds_up_and_puts_double_11_first():
    months = split(Decimal(1_000_000), seasonal_weights("china_retail", 2026), "sum", places=2)
    assert sum(months) == 1_000_000
    assert max(months) == months[10]


# --------------------------------------------------------------------------- properties

PLACES = st.sampled_from([0, 2, 4])


def amounts(places, low=0, high=10**9):
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


def weight_lists(size):
    return st.lists(
        st.integers(1, 10_000).map(lambda n: Decimal(n).scaleb(-2)), min_size=size, max_size=size
    )


@st.composite
def sum_cases(draw):
    places = draw(PLACES)
    size = draw(st.integers(1, 14))
    return places, size, draw(amounts(places)), draw(weight_lists(size))


@FAST
@given(sum_cases())
def test_split_sum_always_adds_up_exactly_and_stays_non_negative(case):
    places, _, annual, weights = case
    parts = split(annual, weights, "sum", places=places)
    assert sum(parts) == annual
    assert reconcile(annual, parts, weights, "sum", places=places).difference == 0
    assert all(part >= 0 and part == part.quantize(Decimal(1).scaleb(-places)) for part in parts)


@FAST
@given(st.sampled_from([0, 2]), st.integers(1, 14).flatmap(weight_lists), amounts(6))
def test_split_sum_is_exact_even_for_an_annual_finer_than_places(places, weights, annual):
    parts = split(annual, weights, "sum", places=places)
    assert sum(parts) == annual
    assert all(part >= 0 for part in parts)
    unit = Decimal(1).scaleb(-places)
    assert sum(1 for part in parts if part != part.quantize(unit)) <= 1


@FAST
@given(PLACES, st.integers(1, 14).flatmap(weight_lists), st.integers(0, 10**6))
def test_split_weighted_always_reconciles_within_rounding(places, weights, raw):
    annual = Decimal(raw).scaleb(-6)
    parts = split(annual, weights, "weighted", places=places)
    assert reconcile(annual, parts, weights, "weighted", places=places).ok


@st.composite
def rebalance_cases(draw, rule):
    places = draw(PLACES)
    size = draw(st.integers(2, 14))
    high = 10**6 if rule == "sum" else 10**places
    values = draw(st.lists(amounts(places, 0, high), min_size=size, max_size=size))
    weights = draw(weight_lists(size))
    locked = draw(st.sets(st.integers(0, size - 1), max_size=size - 1))
    annual = draw(amounts(places, 0, high * size if rule == "sum" else high))
    return places, annual, values, weights, locked


@FAST
@given(rebalance_cases("sum"))
def test_rebalance_sum_reconciles_exactly_or_refuses(case):
    places, annual, values, weights, locked = case
    if sum(values[i] for i in locked) > annual:
        with pytest.raises(ValueError, match="more than the annual target"):
            rebalance(annual, values, weights, "sum", locked=locked, places=places)
        return
    result = rebalance(annual, values, weights, "sum", locked=locked, places=places)
    assert sum(result) == annual
    assert all(result[i] == values[i] for i in locked)
    assert all(part >= 0 for part in result)


@FAST
@given(rebalance_cases("weighted"))
def test_rebalance_weighted_reconciles_within_rounding_or_refuses(case):
    places, annual, values, weights, locked = case
    locked_mass = sum(values[i] * weights[i] for i in locked)
    if locked_mass > annual * sum(weights):
        with pytest.raises(ValueError, match="already average more"):
            rebalance(annual, values, weights, "weighted", locked=locked, places=places)
        return
    result = rebalance(annual, values, weights, "weighted", locked=locked, places=places)
    assert reconcile(annual, result, weights, "weighted", places=places).ok
    assert all(result[i] == values[i] for i in locked)
    assert all(part >= 0 for part in result)


@FAST
@given(
    PLACES.flatmap(
        lambda places: st.tuples(
            st.just(places),
            st.lists(amounts(places, 0, 10**6), min_size=12, max_size=12),
            weight_lists(12),
            st.integers(1, 4),
            amounts(places, 0, 10**7),
        )
    ),
    st.sampled_from(["sum", "weighted"]),
)
def test_set_quarter_hits_the_quarter_and_leaves_the_other_months(case, rule):
    places, values, weights, quarter, total = case
    result = set_quarter(values, weights, rule, quarter=quarter, total=total, places=places)
    months = range((quarter - 1) * 3, quarter * 3)
    achieved = quarter_values(result, weights, rule)[quarter - 1]
    if rule == "sum":
        assert achieved == total
    else:
        assert abs(achieved - total) <= Decimal(1).scaleb(-places) / 2
    assert all(result[i] == values[i] for i in range(12) if i not in months)
    assert all(part >= 0 for part in result)


@FAST
@given(
    PLACES.flatmap(
        lambda places: st.tuples(
            st.just(places),
            amounts(places, 0, 10**8),
            st.integers(1, 4),
            amounts(places, 0, 10**6),
        )
    ),
    st.sampled_from(PROFILES),
    st.integers(1990, 2060),
)
def test_a_quarter_edit_then_rebalance_keeps_the_annual(case, profile, year):
    places, annual, quarter, total = case
    weights = seasonal_weights(profile, year)
    months = split(annual, weights, "sum", places=places)
    edited = set_quarter(months, weights, "sum", quarter=quarter, total=total, places=places)
    locked = set(range((quarter - 1) * 3, quarter * 3))
    if total > annual:
        with pytest.raises(ValueError, match="more than the annual target"):
            rebalance(annual, edited, weights, "sum", locked=locked, places=places)
        return
    result = rebalance(annual, edited, weights, "sum", locked=locked, places=places)
    assert sum(result) == annual
    assert quarter_values(result, weights, "sum")[quarter - 1] == total


# --------------------------------------------------------------------------- messages


def _marked() -> set[str]:
    """Every literal breakdown.py wraps in gettext_noop(...): what makemessages extracts."""
    origin = importlib.util.find_spec("kpis.breakdown").origin
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(Path(origin).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "gettext_noop"
        and isinstance(node.args[0], ast.Constant)
    }


MARKED = _marked()
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

REFUSALS = {
    "all months locked": (
        lambda: rebalance(Decimal(12), ONES, ONES, "sum", locked=set(range(12)), places=0),
        "all months are locked",
    ),
    "all parts locked": (
        lambda: rebalance(Decimal(2), D(1, 1), D(1, 1), "sum", locked={0, 1}, places=0),
        "all parts are locked",
    ),
    "locked parts above the target": (
        lambda: rebalance(Decimal(100), D(80, 30, 10), D(1, 1, 1), "sum", locked={0, 1}, places=0),
        "the locked parts already add up to 110, more than the annual target 100; "
        "unlock some or lower them",
    ),
    "locked months above the target": (
        lambda: rebalance(Decimal(10), D(20, *[0] * 11), ONES, "sum", locked={0}, places=0),
        "the locked months already add up to 20, more than the annual target 10; "
        "unlock some or lower them",
    ),
    "locked rates above the target": (
        lambda: rebalance(
            Decimal("0.01"), D("0.09", "0.01"), D(1, 1), "weighted", locked={0}, places=4
        ),
        "the locked parts alone already average more than the annual target 0.01; "
        "unlock some or lower them",
    ),
    "locked monthly rates above the target": (
        lambda: rebalance(
            Decimal("0.01"), D("0.5", *[0] * 11), ONES, "weighted", locked={0}, places=4
        ),
        "the locked months alone already average more than the annual target 0.01; "
        "unlock some or lower them",
    ),
    "unlocked parts weigh nothing": (
        lambda: rebalance(
            Decimal("0.05"), D("0.02", "0.04"), D(1, 0), "weighted", locked={0}, places=4
        ),
        "the unlocked parts all have weight 0, so they cannot change the average",
    ),
    "unlocked months weigh nothing": (
        lambda: rebalance(
            Decimal("0.05"), D(*["0.02"] * 12), D(1, *[0] * 11), "weighted", locked={0}, places=4
        ),
        "the unlocked months all have weight 0, so they cannot change the average",
    ),
    "no part to lock": (
        lambda: rebalance(Decimal(12), ONES, ONES, "sum", locked={12}, places=0),
        "there is no part 12 to lock",
    ),
    "fifth quarter": (
        lambda: set_quarter(ONES, ONES, "sum", quarter=5, total=Decimal(3), places=0),
        "quarter must be 1, 2, 3 or 4, not 5",
    ),
    "quarter months weigh nothing": (
        lambda: set_quarter(
            ONES, D(0, 0, 0, *[1] * 9), "weighted", quarter=1, total=Decimal(1), places=2
        ),
        "the unlocked parts all have weight 0, so they cannot change the average",
    ),
    "weights add up to zero": (
        lambda: split(Decimal(10), D(0, 0), "sum", places=0),
        "the weights add up to zero",
    ),
    "no weighted average": (
        lambda: aggregate(D(1, 2), D(0, 0), "weighted"),
        "the weights add up to zero, so there is no weighted average",
    ),
    "negative weights": (
        lambda: split(Decimal(10), D(1, -1), "sum", places=0),
        "weights cannot be negative",
    ),
    "no parts": (
        lambda: split(Decimal(10), [], "sum", places=0),
        "there are no parts to break down into",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_every_refusal_is_a_breakdown_error_with_a_marked_template_and_its_params(case):
    call, message = REFUSALS[case]
    with pytest.raises(BreakdownError) as caught:
        call()
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.message == str(error) == message
    assert error.template in MARKED
    assert "%" not in PLACEHOLDER.sub("", error.template)
    assert set(PLACEHOLDER.findall(error.template)) == set(error.params)
    assert (error.template % error.params if error.params else error.template) == message
    assert all(isinstance(value, str | int) for value in error.params.values())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: split(Decimal(1), ONES, "median", places=0), "unknown rule"),
        (lambda: aggregate(D(1, 2, 3), D(1, 1), "sum"), "3 values but 2 weights"),
        (lambda: quarter_values(D(1, 2, 3, 4), D(1, 1, 1, 1), "sum"), "12 months, not 4"),
        (lambda: rule_for("days"), "unknown unit"),
    ],
)
def test_programming_errors_stay_plain_value_errors(call, message):
    with pytest.raises(ValueError, match=message) as caught:
        call()
    assert not isinstance(caught.value, BreakdownError)


def test_the_rule_sentences_are_marked_for_translation():
    assert set(RULE_TEXT.values()) <= MARKED


def test_no_refusal_is_built_with_an_f_string_or_an_unmarked_literal():
    source = ast.parse(Path(importlib.util.find_spec("kpis.breakdown").origin).read_text("utf-8"))
    for node in ast.walk(source):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "BreakdownError":
            first = node.args[0]
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for option in options:
                assert isinstance(option, ast.Call), ast.unparse(node)
                assert getattr(option.func, "id", None) == "gettext_noop", ast.unparse(node)
