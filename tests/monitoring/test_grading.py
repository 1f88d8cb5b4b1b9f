"""Channel ABC grading: a worked example, the edge cases, validation and the budget shift."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analytics.grading import (
    NOT_GRADED,
    ChannelTotals,
    Cutoffs,
    Weights,
    budget_shift,
    grade_channels,
)

FAST = settings(max_examples=60, deadline=None, derandomize=True)

PLAN = [
    ChannelTotals("search", conversions=200, clicks=4000, spend=Decimal("10000"), retention=0.4),
    ChannelTotals("social", conversions=100, clicks=5000, spend=Decimal("8000")),
    ChannelTotals("display", conversions=20, clicks=2000, spend=Decimal("6000"), retention=0.2),
    ChannelTotals("video", conversions=0, clicks=500, spend=Decimal("3000")),
    ChannelTotals("seo", conversions=50, clicks=1000, spend=Decimal("0")),
    ChannelTotals("events", conversions=0, clicks=10, spend=Decimal("0")),
]


def by_code(grades):
    return {g.code: g for g in grades}


def test_worked_example():
    """Default weights: quality 0.4, cost 0.4, volume 0.2; cut-offs A ≥ 70, B ≥ 40.

    Graded channels: all but events (no spend, no conversions).
    CVR: search 200/4000 = 0.05, social 0.02, display 0.01, video 0, seo 0.05 → best 0.05.
    Retention known: search 0.4, display 0.2 → best 0.4.
    CPA: search 10000/200 = 50, social 80, display 300; video has spend and no conversions
    (cost 0); seo has conversions for free (cost 100). Best paid CPA = 50.
    Conversions: best 200 (search); total 370.

    search:  quality ½·(0.05/0.05·100) + ½·(0.4/0.4·100) = 100; cost 50/50 = 100;
             volume 200/200 = 100 → total 100 → A.
    social:  quality 0.02/0.05 = 40 (no retention: CVR alone); cost 50/80 = 62.5;
             volume 100/200 = 50 → 0.4·40 + 0.4·62.5 + 0.2·50 = 16 + 25 + 10 = 51 → B.
    display: quality ½·20 + ½·(0.2/0.4·100 = 50) = 35; cost 50/300 = 16.67 (rounded);
             volume 10 → 0.4·35 + 0.4·16.67 + 0.2·10 = 14 + 6.668 + 2 = 22.668 → 22.67 → C.
    video:   quality 0; cost 0 (spend, no conversions); volume 0 → 0 → C.
    seo:     quality 100; cost 100; volume 50/200 = 25 → 40 + 40 + 5 = 85 → A.
    """
    grades = by_code(grade_channels(PLAN))
    expected = {
        "search": (100.0, 100.0, 100.0, 100.0, "A"),
        "social": (40.0, 62.5, 50.0, 51.0, "B"),
        "display": (35.0, 16.67, 10.0, 22.67, "C"),
        "video": (0.0, 0.0, 0.0, 0.0, "C"),
        "seo": (100.0, 100.0, 25.0, 85.0, "A"),
    }
    for code, (quality, cost, volume, total, grade) in expected.items():
        g = grades[code]
        assert (g.quality, g.cost, g.volume, g.total, g.grade) == (
            pytest.approx(quality),
            pytest.approx(cost),
            pytest.approx(volume),
            pytest.approx(total),
            grade,
        ), code
    assert grades["search"].share == pytest.approx(200 / 370)
    assert grades["search"].cpa == pytest.approx(50.0)
    assert grades["video"].cpa is None
    assert grades["seo"].cpa == 0.0

    # Budget shift (max 20%): display gives 1,200.00 and video 600.00 → pool 1,800.00.
    # A channels share it by total score, 100 : 85 → search 1800·100/185 = 972.972… → 972.97,
    # seo 827.027… → 827.02; the remaining cent goes to the largest receiver, search.
    shift = budget_shift(list(grades.values()))
    assert shift == {
        "search": Decimal("972.98"),
        "social": Decimal("0.00"),
        "display": Decimal("-1200.00"),
        "video": Decimal("-600.00"),
        "seo": Decimal("827.02"),
        "events": Decimal("0.00"),
    }
    assert sum(shift.values()) == 0


def test_channel_without_spend_or_conversions_is_not_graded():
    events = by_code(grade_channels(PLAN))["events"]
    assert not events.graded
    assert events.grade is None and events.total is None
    assert events.reason == NOT_GRADED
    assert events.cvr == 0.0, "its measures are still reported"
    # …and it does not count in the others' comparison: without it nothing changes.
    without = by_code(grade_channels(PLAN[:-1]))
    assert without["social"].total == by_code(grade_channels(PLAN))["social"].total


def test_spend_without_conversions_gets_the_worst_cost_score():
    grades = by_code(
        grade_channels(
            [
                ChannelTotals("a", conversions=10, clicks=100, spend=1000),
                ChannelTotals("b", conversions=0, clicks=100, spend=5),
            ]
        )
    )
    assert grades["b"].cost == 0.0
    assert grades["b"].cost < grades["a"].cost == 100.0


def test_retention_counts_only_where_known():
    # Same CVR; a has retention 0.5 (the best known) so quality = ½·100 + ½·100 = 100;
    # b has retention 0.25 → ½·100 + ½·50 = 75; c has no retention → its CVR alone, 100.
    channels = [
        ChannelTotals("a", conversions=10, clicks=100, spend=100, retention=0.5),
        ChannelTotals("b", conversions=10, clicks=100, spend=100, retention=0.25),
        ChannelTotals("c", conversions=10, clicks=100, spend=100),
    ]
    grades = by_code(grade_channels(channels))
    assert [grades[c].quality for c in "abc"] == [100.0, 75.0, 100.0]
    # retention_share moves the balance: all retention.
    grades = by_code(grade_channels(channels, retention_share=1.0))
    assert [grades[c].quality for c in "abc"] == [100.0, 50.0, 100.0]


def test_channel_without_clicks_is_judged_on_retention_or_not_on_quality():
    channels = [
        ChannelTotals("paid", conversions=10, clicks=100, spend=500),
        ChannelTotals("offline", conversions=10, clicks=0, spend=500),  # no clicks, no CVR
    ]
    grades = by_code(grade_channels(channels))
    offline = grades["offline"]
    assert offline.cvr is None and offline.quality is None
    # Quality left out, weights renormalised: (0.4·100 + 0.2·100) ÷ 0.6 = 100.
    assert offline.total == 100.0
    channels[1] = ChannelTotals("offline", conversions=10, clicks=0, spend=500, retention=0.3)
    assert by_code(grade_channels(channels))["offline"].quality == 100.0


def test_one_and_two_channels_are_stable():
    one = grade_channels([ChannelTotals("only", conversions=5, clicks=50, spend=100)])
    assert (one[0].quality, one[0].cost, one[0].volume, one[0].grade) == (100, 100, 100, "A")
    two = by_code(
        grade_channels(
            [
                ChannelTotals("a", conversions=100, clicks=1000, spend=Decimal("1000.00")),
                ChannelTotals("b", conversions=100, clicks=1000, spend=Decimal("1001.00")),
            ]
        )
    )
    # A CPA of 10.01 against 10.00 is 99.9, not 0 as min-max scoring would give.
    assert two["b"].cost == pytest.approx(99.9)
    assert two["a"].grade == two["b"].grade == "A"


def test_ties_score_equally():
    grades = grade_channels(
        [ChannelTotals(c, conversions=7, clicks=70, spend=350, retention=0.3) for c in "xyz"]
    )
    assert len({(g.quality, g.cost, g.volume, g.total, g.grade) for g in grades}) == 1


def test_no_conversions_anywhere():
    grades = grade_channels(
        [
            ChannelTotals("a", conversions=0, clicks=100, spend=100),
            ChannelTotals("b", conversions=0, clicks=0, spend=50),
        ]
    )
    assert [(g.quality, g.cost, g.volume, g.total, g.grade) for g in grades] == [
        (0.0, 0.0, 0.0, 0.0, "C"),
        (None, 0.0, 0.0, 0.0, "C"),
    ]
    assert budget_shift(grades) == {"a": Decimal("0.00"), "b": Decimal("0.00")}, "no A channel"


def test_weights_are_validated_and_normalised():
    assert Weights(2, 2, 1).normalised() == Weights(0.4, 0.4, 0.2)
    for bad in ((-1, 1, 1), (0, 0, 0), (float("nan"), 1, 1), (float("inf"), 1, 1)):
        with pytest.raises(ValueError, match="weight"):
            Weights(*bad)
    # Scaling every weight changes nothing.
    assert [g.total for g in grade_channels(PLAN, Weights(4, 4, 2))] == [
        g.total for g in grade_channels(PLAN)
    ]
    # Cost alone: the grade follows the cost score.
    costs = by_code(grade_channels(PLAN, Weights(0, 1, 0)))
    assert costs["social"].total == 62.5


def test_cutoffs_are_validated_and_applied():
    assert Cutoffs(70, 40).grade(70.0) == "A"
    assert Cutoffs(70, 40).grade(69.99) == "B"
    assert Cutoffs(70, 40).grade(40.0) == "B"
    assert Cutoffs(70, 40).grade(39.99) == "C"
    assert Cutoffs(50, 50).grade(49.99) == "C"
    for a, b in ((40, 70), (101, 40), (70, -1), (float("nan"), 0)):
        with pytest.raises(ValueError, match="0 ≤ b ≤ a ≤ 100"):
            Cutoffs(a, b)
    strict = by_code(grade_channels(PLAN, cutoffs=Cutoffs(90, 60)))
    assert (strict["search"].grade, strict["seo"].grade, strict["social"].grade) == (
        "A",
        "B",
        "C",
    )


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="spend must be 0 or more"):
        ChannelTotals("x", conversions=1, clicks=1, spend=-1)
    with pytest.raises(ValueError, match="clicks must be 0 or more"):
        ChannelTotals("x", conversions=1, clicks=-1, spend=1)
    with pytest.raises(ValueError, match="retention is a share from 0 to 1"):
        ChannelTotals("x", conversions=1, clicks=1, spend=1, retention=1.5)
    with pytest.raises(ValueError, match="finite"):
        ChannelTotals("x", conversions=1, clicks=1, spend=float("inf"))
    with pytest.raises(ValueError, match=r"\['a'\] appear more than once"):
        grade_channels([ChannelTotals("a", 1, 1, 1), ChannelTotals("a", 2, 2, 2)])
    with pytest.raises(ValueError, match="retention_share"):
        grade_channels(PLAN, retention_share=2)
    with pytest.raises(ValueError, match="max_shift"):
        budget_shift(grade_channels(PLAN), max_shift=1.5)
    assert ChannelTotals("x", 1, 1, 12.3).spend == Decimal("12.3"), "floats become Decimal"


def test_shift_rounds_givers_down_and_keeps_b_and_ungraded_still():
    grades = grade_channels(PLAN)
    shift = budget_shift(grades, max_shift=0.333)
    # display gives 6000 × 0.333 = 1998.00, video 3000 × 0.333 = 999.00.
    assert shift["display"] == Decimal("-1998.00")
    assert shift["video"] == Decimal("-999.00")
    assert shift["social"] == shift["events"] == Decimal("0.00")
    assert sum(shift.values()) == 0
    assert budget_shift(grades, max_shift=0) == dict.fromkeys(shift, Decimal("0.00"))


amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


@FAST
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5000), st.integers(0, 50_000), amounts, st.none() | st.floats(0, 1)
        ),
        min_size=1,
        max_size=12,
    ),
    st.floats(0, 1),
    st.tuples(st.floats(0, 5), st.floats(0, 5), st.floats(0.01, 5)),
)
def test_shift_always_sums_to_exactly_zero(rows, max_shift, weights):
    channels = [
        ChannelTotals(f"ch{i}", conversions=c, clicks=k, spend=s, retention=r)
        for i, (c, k, s, r) in enumerate(rows)
    ]
    grades = grade_channels(channels, Weights(*weights))
    shift = budget_shift(grades, max_shift=max_shift)
    assert sum(shift.values()) == 0
    assert all(v == v.quantize(Decimal("0.01")) for v in shift.values())
    for g in grades:
        if g.grade == "C":
            assert -shift[g.code] <= g.spend * Decimal(str(max_shift))
        elif g.grade == "A":
            assert shift[g.code] >= 0
        else:
            assert shift[g.code] == 0
        if g.graded:
            assert g.total is not None and 0 <= g.total <= 100
