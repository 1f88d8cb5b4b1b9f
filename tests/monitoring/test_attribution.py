"""The attribution models (monitoring/analytics/attribution.py): hand-checked credits,
the exact Markov removal effect, the reduction of touchpoints to paths, and the
sum-to-total property of every model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analytics import attribution as a

C1, C2, C3 = 0, 1, 2


def paths(*rows, ages=None):
    """rows: (channels, conversions, value, nulls)."""
    return a.Paths.from_lists(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        ages=ages,
    )


def test_markov_removal_effects_of_the_classic_three_paths():
    """C1 > C2 > C3 converts once, C1 ends in null once, C2 > C3 ends in null once.

    Transitions: start→C1 2/3, start→C2 1/3; C1→C2 1/2, C1→null 1/2; C2→C3 1;
    C3→conversion 1/2, C3→null 1/2.
    P(conv) = 2/3·1/2·1·1/2 + 1/3·1·1/2 = 1/6 + 1/6 = 1/3.
    Without C1: only start→C2→C3→conv = 1/3·1/2 = 1/6 → RE = 1 − (1/6)/(1/3) = 1/2.
    Without C2 or C3 nothing converts → RE = 1 each.
    Shares: 0.5 / 2.5 = 0.2, 1 / 2.5 = 0.4, 0.4 of the one conversion (and its 100).
    """
    data = paths(([C1, C2, C3], 1, 100.0, 0), ([C1], 0, 0.0, 1), ([C2, C3], 0, 0.0, 1))
    result = a.markov(data, 3)
    assert result.conversion_probability == pytest.approx(1 / 3)
    assert result.removal_effects == pytest.approx([0.5, 1.0, 1.0])
    assert result.credits.conversions == pytest.approx([0.2, 0.4, 0.4])
    assert result.credits.value == pytest.approx([20.0, 40.0, 40.0])


def test_a_channel_on_no_converting_path_has_no_removal_effect():
    data = paths(([C1, C2], 3, 30.0, 1), ([C3], 0, 0.0, 5))
    result = a.markov(data, 3)
    assert result.removal_effects[C3] == 0
    assert result.credits.conversions[C3] == 0
    assert result.credits.conversions.sum() == pytest.approx(3)


def test_single_channel_data_gets_all_the_credit_in_every_model():
    data = paths(([C2], 4, 400.0, 6), ([C2, C2], 1, 50.0, 0), ages=[[0], [3, 0]])
    for model, credits in a.run_all(data, 3).items():
        assert credits is not None, model
        assert credits.conversions == pytest.approx([0, 5, 0]), model
        assert credits.value == pytest.approx([0, 450, 0]), model


def test_loops_are_fine_and_counted_per_touch_in_linear():
    """A > A > B: linear gives A two thirds; the self-loop does not change Markov."""
    data = paths(([C1, C1, C2], 3, 300.0, 0), ([C1], 0, 0.0, 3))
    linear = a.linear(data, 2)
    assert linear.conversions == pytest.approx([2.0, 1.0])
    # start→A 1; A→A 1/4, A→B 1/4, A→null 1/2 (3 of 6 out of A… see counts):
    # out of A: A→A 3, A→B 3, A→null 3 → P(conv) = (1/3)/(1 − 1/3) = 1/2.
    # Without A: 0 → RE_A = 1; without B: 0 → RE_B = 1 → half each.
    result = a.markov(data, 2)
    assert result.conversion_probability == pytest.approx(0.5)
    assert result.credits.conversions == pytest.approx([1.5, 1.5])


def test_zero_conversions_give_zero_credits_and_no_nan():
    data = paths(([C1, C2], 0, 0.0, 7), ([C3], 0, 0.0, 2), ages=[[0, 0], [0]])
    for model, credits in a.run_all(data, 3).items():
        assert credits is not None
        assert not np.isnan(credits.conversions).any(), model
        assert credits.conversions.sum() == 0 and credits.value.sum() == 0


def test_empty_paths_give_zero_credits():
    empty = a.Paths.from_lists([], [], [], [])
    assert a.markov(empty, 2).credits.conversions.tolist() == [0, 0]
    assert a.last_click(empty, 2).conversions.tolist() == [0, 0]


def test_first_last_click_and_linear_by_hand():
    data = paths(([C1, C2, C3], 2, 90.0, 0), ([C3, C1], 1, 10.0, 4))
    assert a.last_click(data, 3).conversions.tolist() == [1, 0, 2]
    assert a.first_click(data, 3).value.tolist() == [90, 0, 10]
    assert a.linear(data, 3).conversions == pytest.approx([2 / 3 + 0.5, 2 / 3, 2 / 3 + 0.5])


def test_position_based_for_one_two_and_more_touches():
    """1 touch: all. 2 touches: 40:40 → 50/50 (30:50 → 37.5/62.5). 4 touches:
    40 / 10 / 10 / 40."""
    assert a.position_weights(np.array([1])).tolist() == [1.0]
    assert a.position_weights(np.array([2])) == pytest.approx([0.5, 0.5])
    assert a.position_weights(np.array([2]), 0.3, 0.5) == pytest.approx([0.375, 0.625])
    assert a.position_weights(np.array([4])) == pytest.approx([0.4, 0.1, 0.1, 0.4])
    assert a.position_weights(np.array([3, 1])) == pytest.approx([0.4, 0.2, 0.4, 1.0])
    with pytest.raises(ValueError, match="add up to at most 1"):
        a.position_weights(np.array([3]), 0.7, 0.5)


def test_time_decay_halves_the_weight_every_half_life():
    """Touches 14, 7 and 0 days before: weights 1/4, 1/2, 1 → shares 1/7, 2/7, 4/7."""
    data = paths(([C1, C2, C3], 7, 700.0, 0), ages=[[14, 7, 0]])
    credits = a.time_decay(data, 3, half_life_days=7)
    assert credits.conversions == pytest.approx([1, 2, 4])
    assert credits.value == pytest.approx([100, 200, 400])
    no_ages = paths(([C1], 1, 1.0, 0))
    with pytest.raises(ValueError, match="timestamps"):
        a.time_decay(no_ages, 1)


def test_value_only_credit_follows_the_value_not_the_count():
    """Two conversions on different last channels, one worth 900 and one 100."""
    data = paths(([C1], 1, 900.0, 0), ([C2], 1, 100.0, 0))
    assert a.last_click(data, 2).value.tolist() == [900, 100]
    markov = a.markov(data, 2)
    assert markov.credits.conversions == pytest.approx([1, 1])
    assert markov.credits.value == pytest.approx([900, 100])


def test_reduce_touchpoints_orders_cuts_and_counts():
    # given three journeys, rows shuffled; j1 has a touch after its conversion
    day = a.SECONDS_PER_DAY
    journey = np.array(["j1", "j2", "j1", "j3", "j1", "j1", "j3"])
    stamp = np.array([5 * day, 0, 0, 10, 2 * day + 60, 6 * day, 20])
    channel = np.array([C3, C1, C1, C1, C2, C3, C2])
    conversion = np.array([1, 0, 0, 0, 0, 0, 1])
    value = np.array([12000, 0, 0, 0, 0, 0, 3000])
    # when
    reduced = a.reduce_touchpoints(journey, stamp, channel, conversion, value)
    # then: j1 = C1 > C2 > C3 converted (ages 5, 2 (2.99 days, floored), 0), the touch after it cut;
    # j2 = C1 ended in null; j3 = C1 > C2 converted on the same day
    assert (reduced.journeys, reduced.converted, reduced.touches_cut) == (3, 2, 1)
    found = {
        (tuple(p), tuple(ages) if ages else None): (c, v, n)
        for p, ages, c, v, n in zip(
            reduced.paths.lists(),
            reduced.paths.age_lists(),
            reduced.paths.conversions,
            reduced.paths.value,
            reduced.paths.nulls,
            strict=True,
        )
    }
    assert found == {
        ((C1,), None): (0, 0, 1),
        ((C1, C2, C3), (5, 2, 0)): (1, 12000, 0),
        ((C1, C2), (0, 0)): (1, 3000, 0),
    }


def test_reduce_groups_many_journeys_into_few_paths():
    rng = np.random.default_rng(1)
    n = 5000
    journey = np.repeat(np.arange(n), 2)
    channel = rng.integers(0, 3, size=2 * n)
    stamp = np.tile([0, 10], n)
    conversion = np.tile([0, 1], n)
    reduced = a.reduce_touchpoints(journey, stamp, channel, conversion, np.tile([0, 100], n))
    assert len(reduced.paths) == 9  # 3 × 3 two-touch paths, all same day
    assert reduced.paths.conversions.sum() == n
    assert reduced.paths.value.sum() == 100 * n


def test_reduce_keeps_the_input_order_of_same_time_touches_on_either_sort():
    """Equal timestamps keep the rows' order, whether the (journey, timestamp) key
    packs into one integer (stable argsort) or not (the three-key lexsort)."""
    for far in (10, 2**62):  # a span too wide to pack forces the lexsort
        journey = np.array([7, 3, 7, 7, 3])
        stamp = np.array([far, 0, 0, 0, 0])
        channel = np.array([C1, C3, C2, C3, C1])
        conversion = np.array([1, 0, 0, 0, 1])
        value = np.array([50, 0, 0, 0, 20])
        reduced = a.reduce_touchpoints(journey, stamp, channel, conversion, value)
        assert sorted(zip(map(tuple, reduced.paths.lists()), reduced.paths.value, strict=True)) == [
            ((C2, C3, C1), 50.0),
            ((C3, C1), 20.0),
        ], far


def test_group_rows_by_hand_with_keys_too_wide_to_pack_at_once():
    """Rows are grouped exactly and numbered by length, then content, even when the
    packed code has to be renumbered between columns (values near 2**40)."""
    big = 2**40
    keys = [np.array([big, 1, big, 1, 0, big, 1, big, 1, 2]), np.zeros(10, dtype=np.int64)]
    lengths = np.array([2, 2, 1, 2, 1, 2])  # (big, 1) (big, 1) (0) (big, 1) (big) (1, 2)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    rows = [tuple(keys[0][s : s + n].tolist()) for s, n in zip(starts, lengths, strict=True)]
    group, representative = a._group_rows(keys, lengths)
    expected = sorted(set(rows), key=lambda r: (len(r), r))
    assert [expected[g] for g in group] == rows
    assert [rows[r] for r in representative] == expected


def test_collapse_merges_paths_that_differ_only_by_ages():
    data = paths(
        ([C1, C2], 1, 10.0, 0),
        ([C1, C2], 2, 5.0, 0),
        ([C1, C2], 0, 0.0, 4),
        ages=[[3, 0], [1, 0], [0, 0]],
    )
    plain = a.collapse(data)
    assert plain.lists() == [[C1, C2]]
    assert (plain.conversions[0], plain.value[0], plain.nulls[0]) == (3, 15, 4)


def test_round_to_total_keeps_the_cents_exact():
    assert a.round_to_total(np.array([1 / 3, 1 / 3, 1 / 3]), 100).tolist() == [34, 33, 33]
    assert a.round_to_total(np.array([33.333, 33.333, 33.334]), 10000).sum() == 10000


path_rows = st.lists(
    st.tuples(
        st.lists(st.integers(0, 4), min_size=1, max_size=6),
        st.integers(0, 50),
        st.floats(0, 10_000, allow_nan=False),
        st.integers(0, 50),
        st.lists(st.integers(0, 40), min_size=6, max_size=6),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    rows=path_rows, half_life=st.floats(0.5, 60), first=st.floats(0, 0.5), last=st.floats(0, 0.5)
)
def test_every_model_credits_add_up_to_the_totals(rows, half_life, first, last):
    data = a.Paths.from_lists(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] if r[1] else 0.0 for r in rows],
        [r[3] for r in rows],
        ages=[r[4][: len(r[0])] for r in rows],
    )
    conversions, value = data.conversions.sum(), data.value.sum()
    results = a.run_all(data, 5, a.Parameters(half_life, first, last))
    for model, credits in results.items():
        assert credits is not None
        assert (credits.conversions >= -1e-9).all(), model
        if conversions > 0:
            assert credits.conversions.sum() == pytest.approx(conversions, rel=1e-9), model
            assert math.isclose(credits.value.sum(), value, rel_tol=1e-9, abs_tol=1e-6), model
        else:
            assert credits.conversions.sum() == 0, model
