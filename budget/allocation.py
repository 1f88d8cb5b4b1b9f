"""Allocation rules as arithmetic: weights in, a proposal exact to the cent out.

No Django here (an import-linter contract keeps it pure). The strategic weight of
a channel is its priority times the weight of the objective it serves; the
allocatable money is split across channels in proportion to those weights, then
each channel's share across the four quarters by the plan's quarter split.

Both splits use the largest-remainder method on whole cents: every part gets the
floor of its exact share and the cents left over go, one each, to the parts with
the largest fractional remainders. So the parts always add up to the whole
exactly, each part is within one cent of its exact share, and a part of weight
zero gets nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

CENT = Decimal("0.01")
QUARTERS = (1, 2, 3, 4)


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def split(amount: Decimal, weights: Mapping[K, Decimal | int]) -> dict[K, Decimal]:
    """``amount`` split in proportion to ``weights`` (largest remainder, whole cents).

    Every key of ``weights`` is in the result. When no weight is positive there is
    nothing to split by and every part is zero. Ties in the remainder go to the key
    that comes first in ``weights``.
    """
    if amount < 0:
        raise ValueError("cannot split a negative amount")
    if any(Decimal(w) < 0 for w in weights.values()):
        raise ValueError("weights cannot be negative")
    cents = _cents(amount)
    exact_weights = {key: Fraction(Decimal(w)) for key, w in weights.items()}
    whole = sum(exact_weights.values(), Fraction(0))
    if whole == 0:
        return {key: Decimal(0).quantize(CENT) for key in weights}
    shares = {key: cents * w / whole for key, w in exact_weights.items()}
    floors = {key: share.numerator // share.denominator for key, share in shares.items()}
    left = cents - sum(floors.values())
    order = list(weights)
    by_remainder = sorted(order, key=lambda k: (-(shares[k] - floors[k]), order.index(k)))
    for key in by_remainder[:left]:
        floors[key] += 1
    return {key: (Decimal(floors[key]) / 100).quantize(CENT) for key in weights}


@dataclass(frozen=True)
class ChannelWeight:
    """One channel's rule: its priority and the weight of the objective it serves."""

    priority: Decimal
    objective_weight: Decimal = Decimal(1)

    @property
    def weight(self) -> Decimal:
        return self.priority * self.objective_weight


@dataclass(frozen=True)
class Proposal(Generic[K]):
    """What each channel gets for the year and in each quarter."""

    by_channel: dict[K, Decimal]
    by_cell: dict[tuple[K, int], Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_channel.values(), Decimal(0)).quantize(CENT)


def propose(
    allocatable: Decimal,
    channels: Mapping[K, ChannelWeight],
    quarter_split: Sequence[Decimal | int],
) -> Proposal[K]:
    """Split ``allocatable`` across ``channels`` by weight, then each channel by quarter.

    Σ by_channel = allocatable exactly whenever some channel weight and some quarter
    share are positive; otherwise nothing can be placed and everything is zero.
    """
    if len(quarter_split) != len(QUARTERS):
        raise ValueError("give one share per quarter")
    quarters = dict(zip(QUARTERS, quarter_split, strict=True))
    if not any(Decimal(s) > 0 for s in quarter_split):
        zero = Decimal(0).quantize(CENT)
        return Proposal(
            dict.fromkeys(channels, zero), {(key, q): zero for key in channels for q in QUARTERS}
        )
    by_channel = split(allocatable, {key: rule.weight for key, rule in channels.items()})
    by_cell: dict[tuple[K, int], Decimal] = {}
    for key, amount in by_channel.items():
        for quarter, part in split(amount, quarters).items():
            by_cell[(key, quarter)] = part
    return Proposal(by_channel, by_cell)
