"""Clash detection in the key-activity schedule, against a brute-force reference."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.timeline import Activity, find_clashes

D = date(2027, 1, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def act(key, start, end, departments=(), depends_on=()):
    return Activity(key, day(start), day(end), frozenset(departments), tuple(depends_on))


def test_a_department_needed_twice_at_once_is_double_booked():
    clashes = find_clashes(
        [
            act("spring", 0, 20, {"brand", "ecom"}),
            act("launch", 15, 30, {"brand"}),
            act("store", 21, 25, {"brand"}),
        ]
    )
    pairs = {(c.department, c.first, c.second) for c in clashes.double_bookings}
    assert pairs == {("brand", "spring", "launch"), ("brand", "launch", "store")}
    first = next(c for c in clashes.double_bookings if c.first == "spring")
    assert (first.overlap_start, first.overlap_end) == (day(15), day(20))


def test_touching_ranges_overlap_for_people_but_not_for_dependencies():
    clashes = find_clashes([act("a", 0, 10, {"pr"}), act("b", 10, 12, {"pr"}, depends_on=["a"])])
    assert len(clashes.double_bookings) == 1  # both need PR on day 10
    assert clashes.broken_dependencies == ()  # b may start on a's last day


def test_a_predecessor_ending_after_its_successor_starts_is_reported():
    clashes = find_clashes([act("film", 0, 14), act("air", 10, 20, depends_on=["film"])])
    (broken,) = clashes.broken_dependencies
    assert (broken.predecessor, broken.successor) == ("film", "air")
    assert clashes.involving("air") == 1 and clashes.involving("other") == 0


def test_cycles_are_found_once_and_unknown_predecessors_ignored():
    clashes = find_clashes(
        [
            act("a", 0, 1, depends_on=["c"]),
            act("b", 2, 3, depends_on=["a"]),
            act("c", 4, 5, depends_on=["b", "ghost"]),
            act("d", 6, 7, depends_on=["d"]),
        ]
    )
    assert sorted(sorted(c) for c in clashes.cycles) == [["a", "b", "c"], ["d"]]
    assert bool(clashes)
    assert not find_clashes([act("x", 0, 1)])


activities = st.lists(
    st.tuples(
        st.integers(0, 60),
        st.integers(0, 20),
        st.frozensets(st.sampled_from(["brand", "ecom", "pr"]), max_size=2),
    ),
    max_size=12,
)


@given(activities)
def test_double_bookings_match_the_brute_force_pairs(spec):
    items = [act(i, s, s + length, deps) for i, (s, length, deps) in enumerate(spec)]
    expected = {
        (dep, min(a.key, b.key), max(a.key, b.key))
        for a in items
        for b in items
        if a.key < b.key
        for dep in a.departments & b.departments
        if a.start <= b.end and b.start <= a.end
    }
    found = {
        (c.department, min(c.first, c.second), max(c.first, c.second))
        for c in find_clashes(items).double_bookings
    }
    assert found == expected
