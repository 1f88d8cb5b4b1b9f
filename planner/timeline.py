"""Clashes in the schedule of key activities (pure: no Django).

Two kinds, both reported with the activities involved so a page can name them:

* a **double booking**: one department needed by two activities whose date ranges
  overlap (inclusive: an activity that ends on the day another starts overlaps it);
* a **broken dependency**: a predecessor that ends after the day its successor
  starts (finish-to-start; starting on the predecessor's last day is allowed,
  as a handover), and any dependency cycle (which no schedule can satisfy).

A sweep per department keeps it O(n log n + k) for k clashes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

Key = Hashable


@dataclass(frozen=True)
class Activity:
    key: Key
    start: date
    end: date
    departments: frozenset[Key] = field(default_factory=frozenset)
    depends_on: tuple[Key, ...] = ()


@dataclass(frozen=True)
class DoubleBooking:
    department: Key
    first: Key
    second: Key
    overlap_start: date
    overlap_end: date


@dataclass(frozen=True)
class BrokenDependency:
    predecessor: Key
    successor: Key
    predecessor_end: date
    successor_start: date


@dataclass(frozen=True)
class Clashes:
    double_bookings: tuple[DoubleBooking, ...]
    broken_dependencies: tuple[BrokenDependency, ...]
    cycles: tuple[tuple[Key, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.double_bookings or self.broken_dependencies or self.cycles)

    def involving(self, key: Key) -> int:
        """How many clashes name the activity ``key``."""
        return (
            sum(key in (c.first, c.second) for c in self.double_bookings)
            + sum(key in (c.predecessor, c.successor) for c in self.broken_dependencies)
            + sum(key in cycle for cycle in self.cycles)
        )


def double_bookings(activities: Iterable[Activity]) -> list[DoubleBooking]:
    by_department: dict[Key, list[Activity]] = defaultdict(list)
    for activity in activities:
        for department in activity.departments:
            by_department[department].append(activity)
    found: list[DoubleBooking] = []
    for department, items in by_department.items():
        items.sort(key=lambda a: (a.start, a.end, str(a.key)))
        running: list[Activity] = []  # activities still going at the current start
        for activity in items:
            running = [r for r in running if r.end >= activity.start]
            for other in running:
                found.append(
                    DoubleBooking(
                        department=department,
                        first=other.key,
                        second=activity.key,
                        overlap_start=activity.start,
                        overlap_end=min(other.end, activity.end),
                    )
                )
            running.append(activity)
    found.sort(key=lambda c: (c.overlap_start, str(c.department), str(c.first), str(c.second)))
    return found


def cycles(activities: Sequence[Activity]) -> list[tuple[Key, ...]]:
    """Every dependency cycle once (as the keys along it), by depth-first search."""
    graph = {a.key: [d for d in a.depends_on if d != a.key] for a in activities}
    self_loops = [(a.key,) for a in activities if a.key in a.depends_on]
    state: dict[Key, int] = {}  # 1 = on the current path, 2 = finished
    path: list[Key] = []
    found: list[tuple[Key, ...]] = list(self_loops)
    seen: set[frozenset[Key]] = {frozenset(c) for c in self_loops}

    def visit(node: Key) -> None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = tuple(path[path.index(nxt) :])
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    found.append(cycle)
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for key in graph:
        if key not in state:
            visit(key)
    return found


def find_clashes(activities: Sequence[Activity]) -> Clashes:
    by_key = {a.key: a for a in activities}
    broken = [
        BrokenDependency(
            predecessor=pred.key,
            successor=activity.key,
            predecessor_end=pred.end,
            successor_start=activity.start,
        )
        for activity in activities
        for pred in (by_key.get(k) for k in activity.depends_on)
        if pred is not None and pred.key != activity.key and pred.end > activity.start
    ]
    broken.sort(key=lambda b: (b.successor_start, str(b.successor), str(b.predecessor)))
    return Clashes(
        double_bookings=tuple(double_bookings(activities)),
        broken_dependencies=tuple(broken),
        cycles=tuple(cycles(activities)),
    )
