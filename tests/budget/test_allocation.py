"""The allocation rules' arithmetic (budget/allocation.py): exact to the cent."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budget.allocation import ChannelWeight, propose, split

D = Decimal
amounts = st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False)
weights = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
weight_maps = st.dictionaries(st.integers(0, 40), weights, min_size=1, max_size=12)
splits = st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=4, max_size=4)


@settings(max_examples=120, deadline=None)
@given(amount=amounts, parts=weight_maps)
def test_split_adds_up_exactly_is_proportional_and_never_negative(amount, parts):
    result = split(amount, parts)
    assert set(result) == set(parts)
    whole = sum(parts.values(), D(0))
    if whole == 0:
        assert all(v == 0 for v in result.values())
        return
    assert sum(result.values(), D(0)) == amount
    for key, value in result.items():
        assert value >= 0
        assert value == value.quantize(D("0.01"))
        exact = Fraction(amount) * Fraction(parts[key]) / Fraction(whole)
        assert abs(Fraction(value) - exact) < Fraction(1, 100)
        if parts[key] == 0:
            assert value == 0


@settings(max_examples=80, deadline=None)
@given(amount=amounts, priorities=weight_maps, objective=weights, quarters=splits)
def test_proposal_places_all_the_money_by_channel_and_quarter(
    amount, priorities, objective, quarters
):
    channels = {k: ChannelWeight(p, objective if k % 2 else D(1)) for k, p in priorities.items()}
    proposal = propose(amount, channels, quarters)
    placeable = any(c.weight > 0 for c in channels.values()) and any(q > 0 for q in quarters)
    cells = proposal.by_cell.values()
    assert all(v >= 0 for v in cells)
    if not placeable:
        assert all(v == 0 for v in cells)
        return
    assert proposal.total == amount
    assert sum(cells, D(0)) == amount
    for key, year in proposal.by_channel.items():
        assert sum((proposal.by_cell[(key, q)] for q in (1, 2, 3, 4)), D(0)) == year
        if channels[key].weight == 0:
            assert year == 0
        for q, share in zip((1, 2, 3, 4), quarters, strict=True):
            exact = Fraction(year) * Fraction(share) / Fraction(sum(quarters, D(0)))
            assert abs(Fraction(proposal.by_cell[(key, q)]) - exact) < Fraction(1, 100)


def test_a_hand_made_split():
    assert split(D("100.00"), {"a": 1, "b": 1, "c": 1}) == {
        "a": D("33.34"),
        "b": D("33.33"),
        "c": D("33.33"),
    }
    proposal = propose(
        D("1000.00"),
        {
            "douyin": ChannelWeight(D(3)),
            "tmall": ChannelWeight(D(1), D(2)),
            "off": ChannelWeight(D(0)),
        },
        [D(40), D(20), D(20), D(20)],
    )
    assert proposal.by_channel == {"douyin": D("600.00"), "tmall": D("400.00"), "off": D("0.00")}
    assert proposal.by_cell[("douyin", 1)] == D("240.00")
    assert proposal.by_cell[("tmall", 4)] == D("80.00")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="negative"):
        split(D(-1), {"a": 1})
    with pytest.raises(ValueError, match="cents"):
        split(D("1.005"), {"a": 1})
    with pytest.raises(ValueError, match="quarter"):
        propose(D(1), {"a": ChannelWeight(D(1))}, [D(1)])
