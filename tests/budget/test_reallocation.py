"""The quarterly review's proposal (budget/reallocation.py): pure, on hand-made grades and ROI."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from budget.reallocation import BELOW_FLOOR, GRADE_C, Limits, Line, propose, split

D = Decimal
LIMITS = Limits(total=D("1000000"), max_move_pct=D(20), max_review_pct=D(10), roi_floor=0.0)


def test_money_goes_from_the_c_line_to_the_a_lines_of_its_quarter():
    lines = [
        Line(1, 2, D("100000"), D("100000"), "C", -0.2),
        Line(2, 2, D("300000"), D("300000"), "A", 1.5),
        Line(3, 2, D("100000"), D("100000"), "A", 0.9),
        Line(4, 3, D("500000"), D("500000"), "A", 2.0),  # another quarter: not a receiver
        Line(5, 2, D("200000"), D("200000"), "B", 0.3),  # B above the floor: left alone
    ]
    moves = propose(lines, LIMITS)
    # 20 % of the C line, shared 3 : 1 by the receivers' planned amounts
    assert [(m.source, m.target, m.amount) for m in moves] == [
        (1, 2, D("15000.00")),
        (1, 3, D("5000.00")),
    ]
    assert moves[0].reasons == (GRADE_C, BELOW_FLOOR)


def test_a_line_below_the_floor_gives_even_with_grade_b():
    lines = [
        Line(1, 3, D("50000"), D("50000"), "B", -0.5),
        Line(2, 3, D("50000"), D("50000"), "A", 0.4),
    ]
    moves = propose(lines, LIMITS)
    assert [(m.source, m.target, m.amount, m.reasons) for m in moves] == [
        (1, 2, D("10000.00"), (BELOW_FLOOR,))
    ]


def test_never_more_than_the_movable_amount_nor_the_review_limit():
    lines = [
        Line(1, 2, D("400000"), D("1000.37"), "C", -0.1),  # mostly spent already
        Line(2, 2, D("400000"), D("400000"), "C", -0.3),
        Line(3, 2, D("400000"), D("400000"), "C", -0.2),
        Line(4, 2, D("100000"), D("100000"), "A", 1.0),
    ]
    limits = Limits(total=D("1000000"), max_move_pct=D(20), max_review_pct=D(10), roi_floor=0.0)
    moves = propose(lines, limits)
    by_source = {m.source: m.amount for m in moves}
    # worst ROI first: line 2 gives its 20 % (80,000), line 3 the rest of the 100,000 cap
    assert by_source == {2: D("80000.00"), 3: D("20000.00")}
    limits = Limits(total=D("10000000"), max_move_pct=D(20), max_review_pct=D(10), roi_floor=0.0)
    by_source = {m.source: m.amount for m in propose(lines, limits)}
    assert by_source[1] == D("200.07")  # 20 % of what it can still give, rounded down


def test_no_receiver_or_no_donor_means_no_moves():
    only_c = [Line(1, 2, D("1000"), D("1000"), "C", -1.0)]
    only_a = [Line(1, 2, D("1000"), D("1000"), "A", 1.0)]
    assert propose(only_c, LIMITS) == []
    assert propose(only_a, LIMITS) == []
    assert propose([], LIMITS) == []


def test_an_a_line_below_the_floor_neither_gives_nor_receives():
    lines = [
        Line(1, 2, D("1000"), D("1000"), "C", -1.0),
        Line(2, 2, D("1000"), D("1000"), "A", -0.5),
    ]
    assert propose(lines, LIMITS) == []


def test_a_quarter_without_a_receivers_sends_to_the_others():
    lines = [
        Line(1, 2, D("1000"), D("1000"), "C", None),
        Line(2, 3, D("1000"), D("1000"), "A", None),
        Line(3, 4, D("0"), D("0"), "A", None),
    ]
    moves = propose(lines, LIMITS)
    assert [(m.target, m.amount) for m in moves] == [(2, D("200.00"))]


def test_split_is_exact_to_the_cent():
    parts = split(D("100.00"), [(1, D(1)), (2, D(1)), (3, D(1))])
    assert sum(a for _k, a in parts) == D("100.00")
    assert sorted(a for _k, a in parts) == [D("33.33"), D("33.33"), D("33.34")]
    assert split(D("0.05"), [(1, D(0)), (2, D(0))]) in (
        [(1, D("0.03")), (2, D("0.02"))],
        [(1, D("0.02")), (2, D("0.03"))],
    )


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)
grades = st.sampled_from(["A", "B", "C", None])
rois = st.one_of(st.none(), st.floats(min_value=-1, max_value=5, allow_nan=False))


@st.composite
def scenario(draw):
    n = draw(st.integers(min_value=0, max_value=12))
    lines = []
    for i in range(n):
        planned = draw(cents)
        movable = draw(
            st.integers(min_value=0, max_value=int(planned * 100)).map(lambda c: D(c) / 100)
        )
        lines.append(
            Line(i + 1, draw(st.integers(2, 4)), planned, movable, draw(grades), draw(rois))
        )
    limits = Limits(
        total=draw(cents) + sum((x.planned for x in lines), D(0)),
        max_move_pct=draw(st.integers(0, 100).map(D)),
        max_review_pct=draw(st.integers(0, 100).map(D)),
        roi_floor=draw(
            st.one_of(st.none(), st.floats(min_value=-0.5, max_value=1, allow_nan=False))
        ),
    )
    return lines, limits


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_proposals_balance_and_respect_every_limit(case):
    lines, limits = case
    moves = propose(lines, limits)
    by_id = {x.id: x for x in lines}
    out: dict[int, Decimal] = defaultdict(Decimal)
    into: dict[int, Decimal] = defaultdict(Decimal)
    for m in moves:
        assert m.amount > 0
        assert m.amount == m.amount.quantize(D("0.01"))  # whole cents
        assert m.source != m.target
        out[m.source] += m.amount
        into[m.target] += m.amount
        assert by_id[m.target].grade == "A"
        assert by_id[m.source].grade != "A"
    # Σ out = Σ in
    assert sum(out.values(), D(0)) == sum(into.values(), D(0))
    # the review limit
    assert sum(out.values(), D(0)) <= limits.total * limits.max_review_pct / 100
    for source, given_away in out.items():
        line = by_id[source]
        # never more than movable, never more than the share of a line, no donor below zero
        assert given_away <= line.movable
        assert given_away <= line.planned * limits.max_move_pct / 100
        assert line.planned - given_away >= 0
    # no line both gives and receives
    assert not set(out) & set(into)


def test_a_donor_feeds_only_the_best_receivers_of_its_quarter():
    """Highest ROI first, then the larger line: the proposal stays a short list."""
    lines = [
        Line(1, 2, D("100000"), D("100000"), "C", -0.2),
        Line(2, 2, D("300000"), D("300000"), "A", 0.9),
        Line(3, 2, D("100000"), D("100000"), "A", 1.8),
        Line(4, 2, D("100000"), D("100000"), "A", 1.1),
    ]
    moves = propose(lines, LIMITS)
    assert sorted((m.target, m.amount) for m in moves) == [(3, D("10000.00")), (4, D("10000.00"))]
    assert [m.target for m in propose(lines, LIMITS, max_receivers=1)] == [3]
