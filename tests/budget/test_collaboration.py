"""The pure rules of collaboration: RACI validity, the weighted score, the SLA clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.collaboration import (
    CRITERIA,
    bad_ratings,
    check_raci,
    collaboration_score,
    due_at,
    is_overdue,
    raci_load,
)


def ratings(responsiveness, delivery, communication, conflict_handling):
    return {
        "responsiveness": responsiveness,
        "delivery": delivery,
        "communication": communication,
        "conflict_handling": conflict_handling,
    }


@pytest.mark.parametrize(
    ("letters", "ok"),
    [
        (["A", "R"], True),
        (["A", "R", "R", "C", "I"], True),
        (["R", "A", "I"], True),
        (["A", "A", "R"], False),  # two accountable
        (["R", "C"], False),  # nobody accountable
        (["A", "C", "I"], False),  # nobody responsible
        ([], False),
        (["A", "R", "X"], False),  # not a RACI letter
    ],
)
def test_a_workstream_has_exactly_one_a_and_at_least_one_r(letters, ok):
    assert check_raci(letters).ok is ok


def test_raci_problems_are_reported_together():
    problems = check_raci(["A", "A", "C", "Z"])
    assert problems.accountable == 2
    assert problems.responsible == 0
    assert problems.unknown == ("Z",)


def test_raci_load_counts_letters_per_department():
    load = raci_load([(1, "A"), (1, "R"), (2, "R"), (1, "A"), (2, "I")])
    assert load[1] == {"R": 1, "A": 2, "C": 0, "I": 0}
    assert load[2] == {"R": 1, "A": 0, "C": 0, "I": 1}


def test_weights_add_up_to_one_hundred():
    assert sum(weight for _name, weight in CRITERIA) == 100


@pytest.mark.parametrize(
    ("given_ratings", "expected"),
    [
        (ratings(1, 1, 1, 1), Decimal("0.0")),
        (ratings(5, 5, 5, 5), Decimal("100.0")),
        (ratings(3, 3, 3, 3), Decimal("50.0")),
        # 25×¾ + 35×¾ + 20×½ + 20×1 = 18.75 + 26.25 + 10 + 20
        (ratings(4, 4, 3, 5), Decimal("75.0")),
        # delivery weighs most: 35 × 1 = 35
        (ratings(1, 5, 1, 1), Decimal("35.0")),
        # 25 × ¼ = 6.25 → rounded half up to 6.3
        (ratings(2, 1, 1, 1), Decimal("6.3")),
        # 25×¾ + 35×½ + 20×½ + 20×¼ = 18.75 + 17.5 + 10 + 5 = 51.25 → 51.3
        (ratings(4, 3, 3, 2), Decimal("51.3")),
    ],
)
def test_score_is_the_weighted_ratings_on_zero_to_one_hundred(given_ratings, expected):
    assert collaboration_score(given_ratings) == expected


@pytest.mark.parametrize("bad", [0, 6, None, 2.5, True, "4"])
def test_a_rating_outside_one_to_five_is_refused(bad):
    given_ratings = ratings(3, bad, 3, 3)
    assert bad_ratings(given_ratings) == ["delivery"]
    with pytest.raises(ValueError, match="delivery"):
        collaboration_score(given_ratings)


rating = st.integers(min_value=1, max_value=5)


@given(rating, rating, rating, rating, st.sampled_from([n for n, _w in CRITERIA]))
def test_score_stays_in_range_and_never_falls_when_a_rating_rises(r1, r2, r3, r4, raised):
    before = ratings(r1, r2, r3, r4)
    score = collaboration_score(before)
    assert Decimal(0) <= score <= Decimal(100)
    if before[raised] < 5:
        after = {**before, raised: before[raised] + 1}
        assert collaboration_score(after) > score


def test_a_conflict_is_overdue_only_after_its_step_sla():
    since = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert due_at(since, 48) == datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
    assert not is_overdue(since, 48, since + timedelta(hours=47, minutes=59))
    assert not is_overdue(since, 48, since + timedelta(hours=48))
    assert is_overdue(since, 48, since + timedelta(hours=48, seconds=1))
    assert not is_overdue(None, 48, since)
