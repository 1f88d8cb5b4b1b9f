"""The rolling quarterly review's proposal: pure computation, no Django.

Given the budget lines of the quarters still ahead — each with its channel's grade
(A / B / C), its channel's ROI, its planned and movable amounts — and the plan's
limits, propose moves from low-efficiency lines to the best ones:

* a *donor* is a line whose channel is graded C, or whose ROI is below the plan's
  floor (an A-graded line is never a donor);
* a *receiver* is a line whose channel is graded A and whose ROI is not below the
  floor;
* a donor gives at most ``max_move_pct`` % of its planned amount and never more
  than its movable amount (planned minus committed and spent), so no line goes
  below zero or below what it already used;
* the whole review moves at most ``max_review_pct`` % of the plan total;
* the worst donors give first (grade C before below-floor, then lowest ROI);
* a donor's money goes to the best receivers (highest ROI, then the largest line;
  at most ``max_receivers`` of them, so a review stays a short list a manager can
  decide) of the same quarter (of any quarter ahead when its quarter has none),
  shared in proportion to their planned amounts (evenly when those are all zero),
  to the cent — the cents left by rounding go to the largest shares — so every
  move is whole cents and Σ out = Σ in exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

GRADE_C = "grade_c"
BELOW_FLOOR = "below_floor"


@dataclass(frozen=True)
class Line:
    """One budget line as the review sees it."""

    id: int
    quarter: int
    planned: Decimal
    movable: Decimal
    grade: str | None = None  # "A", "B", "C" or None (not graded)
    roi: float | None = None  # the channel's ROI, a fraction (None: no data)


@dataclass(frozen=True)
class Limits:
    total: Decimal  # the plan's total budget
    max_move_pct: Decimal  # % of a line a review may take from it
    max_review_pct: Decimal  # % of the total a review may move
    roi_floor: float | None = None  # the lowest acceptable ROI (None: no floor)


@dataclass(frozen=True)
class Move:
    source: int
    target: int
    amount: Decimal
    reasons: tuple[str, ...] = field(default=())


def cents_down(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def donor_reasons(line: Line, floor: float | None) -> tuple[str, ...]:
    """Why a line is low-efficiency (empty: it is not)."""
    if line.grade == "A":
        return ()
    reasons = []
    if line.grade == "C":
        reasons.append(GRADE_C)
    if floor is not None and line.roi is not None and line.roi < floor:
        reasons.append(BELOW_FLOOR)
    return tuple(reasons)


def is_receiver(line: Line, floor: float | None) -> bool:
    below = floor is not None and line.roi is not None and line.roi < floor
    return line.grade == "A" and not below


def split(amount: Decimal, weights: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """``amount`` (whole cents) shared over ``weights`` in proportion, to the cent; the
    cents left by rounding go to the largest shares first. Evenly when all weights are 0."""
    if not weights or amount <= 0:
        return []
    total_weight = sum((max(w, ZERO) for _k, w in weights), ZERO)
    if total_weight <= 0:
        weights = [(k, Decimal(1)) for k, _w in weights]
        total_weight = Decimal(len(weights))
    cents = int((amount / CENT).to_integral_value())
    raw = [(k, Decimal(cents) * max(w, ZERO) / total_weight) for k, w in weights]
    floors = [(k, int(share.to_integral_value(rounding=ROUND_DOWN)), share) for k, share in raw]
    left = cents - sum(f for _k, f, _s in floors)
    # largest remainder first, then the largest share, then the key (deterministic)
    order = sorted(
        range(len(floors)),
        key=lambda i: (-(floors[i][2] - floors[i][1]), -floors[i][2], floors[i][0]),
    )
    extra = {floors[i][0]: 1 for i in order[:left]}
    return [(k, Decimal(f + extra.get(k, 0)) * CENT) for k, f, _s in floors]


def _donor_order(line: Line, reasons: tuple[str, ...]) -> tuple[int, float, int]:
    return (
        0 if GRADE_C in reasons else 1,
        line.roi if line.roi is not None else float("inf"),
        line.id,
    )


def _best(receivers: list[Line], count: int) -> list[Line]:
    """The ``count`` best receivers: highest ROI first, then the largest line."""
    ranked = sorted(
        receivers,
        key=lambda x: (-(x.roi if x.roi is not None else float("-inf")), -x.planned, x.id),
    )
    return ranked[: max(count, 1)]


def propose(lines: Iterable[Line], limits: Limits, max_receivers: int = 2) -> list[Move]:
    """The moves of the review (see the module's docstring for the rules)."""
    lines = list(lines)
    floor = limits.roi_floor
    receivers = [x for x in lines if is_receiver(x, floor)]
    donors = [(x, donor_reasons(x, floor)) for x in lines]
    donors = [(x, r) for x, r in donors if r]
    if not receivers or not donors:
        return []
    left = cents_down(max(limits.total, ZERO) * max(limits.max_review_pct, ZERO) / 100)
    share = max(limits.max_move_pct, ZERO) / 100
    moves: list[Move] = []
    for donor, reasons in sorted(donors, key=lambda d: _donor_order(*d)):
        if left <= 0:
            break
        capacity = cents_down(min(max(donor.movable, ZERO), max(donor.planned, ZERO)) * share)
        give = min(capacity, left)
        if give <= 0:
            continue
        targets = _best(
            [x for x in receivers if x.quarter == donor.quarter] or receivers, max_receivers
        )
        parts = split(give, [(x.id, x.planned) for x in targets])
        for target, amount in parts:
            if amount > 0:
                moves.append(Move(donor.id, target, amount, reasons))
        left -= give
    return moves
