"""The pure supplier rules: weighted score, pass mark, tier cut-offs, runs of failures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget import supplier_rules as rules

D = Decimal
WEIGHTS = rules.Weights(D("0.4"), D("0.3"), D("0.3"))


def test_weighted_score_is_rounded_half_up_to_one_place():
    # 0.4×62 + 0.3×55 + 0.3×70 = 62.3 ; 0.4×71 + 0.3×70 + 0.3×69 = 70.1
    assert rules.weighted_score(62, 55, 70, WEIGHTS) == D("62.3")
    assert rules.weighted_score(71, 70, 69, WEIGHTS) == D("70.1")
    # 0.4×70 + 0.3×70 + 0.3×71 = 70.3 ; a .x5 rounds up
    odd = rules.Weights(D("0.5"), D("0.25"), D("0.25"))
    assert rules.weighted_score(70, 71, 70, odd) == D("70.3")  # 70.25 → 70.3


def test_the_pass_mark_is_inclusive():
    assert rules.passes(D("70.0"), 70)
    assert not rules.passes(D("69.9"), 70)


@pytest.mark.parametrize(
    ("qualification", "capability", "performance", "tier"),
    [
        (85, 85, D("85.0"), rules.STRATEGIC),  # every score exactly at the strategic cut-off
        (84, 95, D("95.0"), rules.PRIORITY),  # one point below on qualification
        (95, 84, D("95.0"), rules.PRIORITY),  # … on capability
        (95, 95, D("84.9"), rules.PRIORITY),  # … on past performance
        (70, 70, D("70.0"), rules.PRIORITY),  # exactly at the priority cut-off
        (69, 90, D("90.0"), rules.BASIC),
        (90, 90, D("69.9"), rules.BASIC),
        (95, 95, None, rules.PRIORITY),  # no track record: priority at most
        (60, 95, None, rules.BASIC),
    ],
)
def test_tier_is_the_highest_whose_cut_off_every_score_reaches(
    qualification, capability, performance, tier
):
    assert (
        rules.derive_tier(qualification, capability, performance, strategic_min=85, priority_min=70)
        == tier
    )


def test_performance_is_the_mean_of_the_scores():
    assert rules.performance([]) is None
    assert rules.performance([D("80"), D("90"), D("85.5")]) == D("85.2")


def test_failure_runs_follow_period_order_not_input_order():
    results = [(3, False), (1, False), (2, True), (4, False)]
    assert [r.periods for r in rules.failure_runs(results)] == [(1,), (3, 4)]
    assert rules.trailing_streak(results) == 2
    assert rules.trailing_streak([(1, False), (2, True)]) == 0
    assert rules.trailing_streak([]) == 0


def test_first_flagging_run_counts_only_after_a_resolved_run():
    results = [(1, False), (2, False), (3, True), (4, False)]
    assert rules.first_flagging_run(results, 2).periods == (1, 2)
    assert rules.first_flagging_run(results, 3) is None
    assert rules.first_flagging_run(results, 2, after=2) is None
    assert rules.first_flagging_run([*results[:3], (4, False)], 1, after=2).periods == (4,)
