"""Break an annual target down into quarters and months (or channels, or regions).

Pure computation over :class:`~decimal.Decimal` — no Django, no database — so the plan
editor, the API and the tests share one implementation, and an import-linter contract
keeps it that way.

A breakdown is a list of parts (12 months; or N channels or regions — every function but
the quarter ones is length-agnostic), each with a value and a weight. How the parts must
relate to the annual target depends on the KPI's unit (:func:`rule_for`):

* **sum** (count and money): the parts add up to the annual target, exactly.
* **weighted** (percent and ratio): the annual target is the weighted average of the parts,
  each part weighted by its weight (for a conversion rate, say, each month's share of the
  year's visits); after rounding it matches within half a unit of the last decimal place.

Rounding is ROUND_HALF_UP to ``places`` decimal places; for a *sum*, the rounding is done
by the largest-remainder method, so the parts add up to the annual target exactly and no
part is ever more than one unit of the last place away from its exact share. (Putting the
whole rounding residue on the largest part instead can drive it negative: twelve shares of
0.5 each round up to 1, and the largest part would have to absorb -6.) Should the annual
target have more decimals than ``places``, the extra digits go to the part with the largest
weight, so the sum is still exact.

Seasonal profiles (:func:`seasonal_weights`) give the starting weights of the 12 months:

======  ====  =============================  ====
month   even  china_retail                   b2b
======  ====  =============================  ====
Jan     1     1.2 (1.5 if New Year in Jan)   0.8
Feb     1     1.5 (0.9 if New Year in Jan)   0.8
Mar     1     0.8                            1.1
Apr     1     0.9                            1.1
May     1     1.0                            1.1
Jun     1     1.4                            1.1
Jul     1     0.9                            1.0
Aug     1     0.8                            0.7
Sep     1     0.8                            1.1
Oct     1     1.1                            1.2
Nov     1     1.8                            1.2
Dec     1     1.3                            0.8
======  ====  =============================  ====

``china_retail`` is a Chinese consumer brand's year. The Spring Festival month (the month of
Lunar New Year's Day, January or February, computed with ``lunar_python``) weighs 1.5: people
stock up for the festival. When the festival falls in February, the pre-festival shopping
weeks (年货节) fall in January, which weighs 1.2; when it falls in January, those weeks are in
January too, and February is the post-holiday lull (0.9). June is the 618 festival (1.4),
November Double 11 (1.8, the biggest), December Double 12 (1.3), October the run-up to
Double 11 (1.1); March and August-September are quiet (0.8).

``b2b`` is a business-to-business year: quiet in January-February (budgets are being set,
then the Spring Festival), August (holidays) and December (year end); strongest in
March-June and September-November, when buyers have budget and time.

Messages
--------
The rule sentences (:data:`RULE_TEXT`) and the refusals (:class:`BreakdownError`: all months
locked, locked months above the target …) are shown to users, in English or Chinese. This
module cannot import Django, so each text is an English template with named ``%(name)s``
placeholders, wrapped in :func:`gettext_noop` where it is written (``makemessages``
extracts ``gettext_noop``), and :mod:`kpis.messages` translates it at
the Django boundary. A mistake in the call itself (an unknown rule, lists of different
lengths) is a plain :class:`ValueError` in English: it is a bug, not something to tell users.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Literal

from lunar_python import Lunar

__all__ = [
    "PROFILES",
    "RULE_TEXT",
    "BreakdownError",
    "Reconciliation",
    "Rule",
    "aggregate",
    "gettext_noop",
    "quarter_values",
    "rebalance",
    "reconcile",
    "rule_for",
    "seasonal_weights",
    "set_quarter",
    "split",
    "spring_festival_month",
]

Rule = Literal["sum", "weighted"]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation and return it unchanged.

    A no-op of the same name as Django's, which ``makemessages`` already extracts:
    this module is pure and cannot import Django, so the text is translated at the
    Django boundary (:mod:`kpis.messages`). It must wrap the literal itself.
    """
    return message


class BreakdownError(ValueError):
    """A breakdown change that cannot be made, in words for the user.

    ``message`` is the English sentence (also ``str(error)``); ``template`` and ``params``
    are that sentence before interpolation, ``message == template % params``, for
    :func:`kpis.messages.translate` to show it in the user's language. Numbers in ``params``
    are already text. A subclass of :class:`ValueError`, so ``except ValueError`` still
    catches it.
    """

    def __init__(self, template: str, /, **params: object) -> None:
        message = template % params if params else template
        super().__init__(message)
        self.message = message
        self.template = template
        self.params: dict[str, object] = params


#: The sentence shown to users next to a breakdown (by month, channel or region), per rule
#: (translate with :func:`kpis.messages.rule_text`).
RULE_TEXT: dict[Rule, str] = {
    "sum": gettext_noop("The months, channels or regions add up to the annual target."),
    "weighted": gettext_noop(
        "The annual target is the weighted average of the months, channels or regions: "
        "one with twice the weight counts twice as much."
    ),
}

PROFILES: tuple[str, ...] = ("even", "china_retail", "b2b")

#: Enough digits for any plan figure with room to spare, so only our own rounding rounds.
_PRECISION = 50


def _context() -> Context:
    return Context(prec=_PRECISION, rounding=ROUND_HALF_UP)


def rule_for(unit: str) -> Rule:
    """How a KPI of this unit reconciles: counts and money add up, rates average."""
    if unit in ("count", "money"):
        return "sum"
    if unit in ("percent", "ratio"):
        return "weighted"
    raise ValueError(f"unknown unit '{unit}'")


# --------------------------------------------------------------------------- helpers


def _quantum(places: int) -> Decimal:
    if not isinstance(places, int) or places < 0:
        raise ValueError(f"places must be a whole number of at least 0, not {places!r}")
    return Decimal(1).scaleb(-places)


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext(_context()):
        return value.quantize(_quantum(places), rounding=ROUND_HALF_UP)


def _half_unit(places: int) -> Decimal:
    return _quantum(places) / 2


def _check_finite(*values: Decimal) -> None:
    for value in values:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{value!r} is not a finite Decimal")


def _check_rule(rule: str) -> None:
    if rule not in ("sum", "weighted"):
        raise ValueError(f"unknown rule '{rule}'")


def _check_weights(weights: Sequence[Decimal], length: int | None = None) -> None:
    if not weights:
        raise BreakdownError(gettext_noop("there are no parts to break down into"))
    if length is not None and len(weights) != length:
        raise ValueError(f"there are {length} values but {len(weights)} weights")
    _check_finite(*weights)
    if any(weight < 0 for weight in weights):
        raise BreakdownError(gettext_noop("weights cannot be negative"))


def _largest_remainder(total: Decimal, shares: Sequence[Decimal], places: int) -> list[Decimal]:
    """Split ``total`` in proportion to non-negative ``shares``, adding up exactly.

    Steps:
    1. Work on |total| (a negative total is split as its opposite, then negated back).
    2. Cut |total| at ``places`` (rounding down); what lies beyond the last place — only
       there when the total itself has more decimals than ``places`` — is kept aside.
    3. Round every exact share of the cut total down to ``places``.
    4. Hand the units that are left, one each, to the parts with the largest remainders
       (ties: the larger share, then the earlier part), so the parts add up to the cut
       total and each is its exact share rounded down or up — never negative.
    5. Add the digits kept aside in step 2 to the part with the largest share, so the
       parts add up to exactly ``total``.
    """
    unit = _quantum(places)
    whole = sum(shares, Decimal(0))
    sign = -1 if total < 0 else 1
    with localcontext(_context()):
        magnitude = abs(total)
        cut = magnitude.quantize(unit, rounding=ROUND_FLOOR)
        exact = [cut * share / whole for share in shares]
        parts = [value.quantize(unit, rounding=ROUND_FLOOR) for value in exact]
        left = int((cut - sum(parts, Decimal(0))) / unit)
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), -shares[i], i))
        for i in order[:left]:
            parts[i] += unit
        if magnitude != cut:
            largest = max(range(len(shares)), key=lambda i: (shares[i], -i))
            parts[largest] += magnitude - cut
        return [-part if sign < 0 else part for part in parts]


# --------------------------------------------------------------------------- core


def split(annual: Decimal, weights: Sequence[Decimal], rule: Rule, *, places: int) -> list[Decimal]:
    """Break ``annual`` into one part per weight.

    *sum*: each part is ``annual * weight / Σ weights``, rounded to ``places`` by the
    largest-remainder method, so the parts add up to exactly ``annual`` and none goes
    negative for a non-negative annual. If ``annual`` itself has more decimals than
    ``places`` (a count target of 1000.5), the extra digits go to the part with the largest
    weight: exactness beats tidiness, and the reconciliation stays exact.
    *weighted*: every part is ``annual`` rounded to ``places`` — the weighted average of
    equal parts is that value whatever the weights.
    """
    _check_rule(rule)
    _check_finite(annual)
    _check_weights(weights)
    if rule == "weighted":
        return [_round(annual, places) for _ in weights]
    if sum(weights, Decimal(0)) == 0:
        raise BreakdownError(gettext_noop("the weights add up to zero"))
    return _largest_remainder(annual, weights, places)


def aggregate(values: Sequence[Decimal], weights: Sequence[Decimal], rule: Rule) -> Decimal:
    """The annual figure the parts make: their sum, or their weighted average (unrounded)."""
    _check_rule(rule)
    _check_weights(weights, len(values))
    _check_finite(*values)
    with localcontext(_context()):
        if rule == "sum":
            return sum(values, Decimal(0))
        whole = sum(weights, Decimal(0))
        if whole == 0:
            raise BreakdownError(
                gettext_noop("the weights add up to zero, so there is no weighted average")
            )
        total = sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0))
        return total / whole


@dataclass(frozen=True)
class Reconciliation:
    """How far the parts are from the annual target.

    ``aggregate`` is what the parts make, ``difference`` is ``aggregate - annual`` and
    ``ok`` says whether that is within half a unit of the last decimal place.
    """

    aggregate: Decimal
    difference: Decimal
    ok: bool


def reconcile(
    annual: Decimal,
    values: Sequence[Decimal],
    weights: Sequence[Decimal],
    rule: Rule,
    *,
    places: int,
) -> Reconciliation:
    """Compare the parts with the annual target.

    The parts reconcile when ``|aggregate - annual|`` is at most half a unit of the last
    place (for *sum* that is any rounding-free breakdown; for *weighted* it is the
    rounding of the rate's ``places`` that can move the average).
    """
    _check_finite(annual)
    total = aggregate(values, weights, rule)
    with localcontext(_context()):
        difference = total - annual
    return Reconciliation(total, difference, abs(difference) <= _half_unit(places))


def _shape(values: Sequence[Decimal]) -> list[Decimal] | None:
    """The proportions to keep when rescaling parts, or None to spread evenly.

    Current values are kept in proportion when they are all ≥ 0 and not all 0; all zeros
    (nothing to keep) or mixed signs (no meaningful proportion) spread evenly.
    """
    if all(value >= 0 for value in values) and any(value > 0 for value in values):
        return list(values)
    return None


def rebalance(
    annual: Decimal,
    values: Sequence[Decimal],
    weights: Sequence[Decimal],
    rule: Rule,
    *,
    locked: Collection[int],
    places: int,
) -> list[Decimal]:
    """Change the unlocked parts so the breakdown reconciles with ``annual`` again.

    Used when someone edits a month (and locks it) or the annual target changes: the
    locked parts stay as they are, the others absorb the difference.

    Refusals are :class:`BreakdownError`, which say "months" for a breakdown of 12 parts and
    "parts" otherwise.

    Steps:
    1. Refuse when every part is locked, or a locked index does not exist.
    2. *sum*: the unlocked parts must make ``annual - Σ locked``. Split that in proportion
       to their current values (evenly if they are all 0) with :func:`split`, so the
       result adds up exactly. When the annual and every value are ≥ 0 but the locked parts
       already exceed the annual, refuse rather than produce negative parts.
    3. *weighted*: the unlocked parts must make ``annual * Σw - Σ locked v·w`` in
       ``Σ v·w``. Scale their current values by one factor (or set them all to one value
       if they are all 0), then round to ``places``; the average is then within rounding.
       Refuse if the unlocked parts all weigh 0 (they cannot move the average) or if the
       rates would have to go negative.
    """
    _check_rule(rule)
    _check_finite(annual, *values)
    _check_weights(weights, len(values))
    bad = [i for i in locked if not 0 <= i < len(values)]
    if bad:
        raise BreakdownError(gettext_noop("there is no part %(part)s to lock"), part=bad[0])
    months = len(values) == 12
    free = [i for i in range(len(values)) if i not in locked]
    if not free:
        raise BreakdownError(
            gettext_noop("all months are locked")
            if months
            else gettext_noop("all parts are locked")
        )
    non_negative = annual >= 0 and all(value >= 0 for value in values)
    result = list(values)
    with localcontext(_context()):
        if rule == "sum":
            remaining = annual - sum((values[i] for i in locked), Decimal(0))
            if non_negative and remaining < 0:
                raise BreakdownError(
                    gettext_noop(
                        "the locked months already add up to %(locked)s, more than the annual "
                        "target %(annual)s; unlock some or lower them"
                    )
                    if months
                    else gettext_noop(
                        "the locked parts already add up to %(locked)s, more than the annual "
                        "target %(annual)s; unlock some or lower them"
                    ),
                    locked=str(annual - remaining),
                    annual=str(annual),
                )
            shape = _shape([values[i] for i in free]) or [Decimal(1)] * len(free)
            for i, part in zip(free, split(remaining, shape, "sum", places=places), strict=True):
                result[i] = part
            return result

        whole = sum(weights, Decimal(0))
        free_weight = sum((weights[i] for i in free), Decimal(0))
        if free_weight == 0:
            raise BreakdownError(
                gettext_noop(
                    "the unlocked months all have weight 0, so they cannot change the average"
                )
                if months
                else gettext_noop(
                    "the unlocked parts all have weight 0, so they cannot change the average"
                )
            )
        needed = annual * whole - sum((values[i] * weights[i] for i in locked), Decimal(0))
        if non_negative and needed < 0:
            raise BreakdownError(
                gettext_noop(
                    "the locked months alone already average more than the annual target "
                    "%(annual)s; unlock some or lower them"
                )
                if months
                else gettext_noop(
                    "the locked parts alone already average more than the annual target "
                    "%(annual)s; unlock some or lower them"
                ),
                annual=str(annual),
            )
        current = sum((values[i] * weights[i] for i in free), Decimal(0))
        if _shape([values[i] for i in free]) is None or current == 0:
            level = needed / free_weight
            new = dict.fromkeys(free, level)
        else:
            factor = needed / current
            new = {i: values[i] * factor for i in free}
    for i, value in new.items():
        result[i] = _round(value, places)
    return result


def quarter_values(
    values: Sequence[Decimal], weights: Sequence[Decimal], rule: Rule
) -> list[Decimal]:
    """The four quarters' aggregates (Q1 = months 1-3 …), unrounded."""
    _check_months(values)
    return [
        aggregate(values[q * 3 : q * 3 + 3], weights[q * 3 : q * 3 + 3], rule) for q in range(4)
    ]


def set_quarter(
    values: Sequence[Decimal],
    weights: Sequence[Decimal],
    rule: Rule,
    *,
    quarter: int,
    total: Decimal,
    places: int,
) -> list[Decimal]:
    """Set one quarter (1-4) to ``total`` by changing only its three months.

    *sum*: the three months are scaled in proportion (evenly if they are all 0) so they add
    up to exactly ``total``. *weighted*: they are scaled by one factor (set to ``total``
    if they are all 0) so their weighted average is ``total`` within rounding. The other
    months are untouched, so the year's aggregate moves; to keep the annual target, call
    :func:`rebalance` with this quarter's months locked.
    """
    _check_months(values)
    if quarter not in (1, 2, 3, 4):
        raise BreakdownError(
            gettext_noop("quarter must be 1, 2, 3 or 4, not %(quarter)s"), quarter=repr(quarter)
        )
    months = range((quarter - 1) * 3, quarter * 3)
    # A quarter is a three-part breakdown of its own total: the same rebalance applies.
    sub_values = [values[i] for i in months]
    sub_weights = [weights[i] for i in months]
    new = rebalance(total, sub_values, sub_weights, rule, locked=(), places=places)
    result = list(values)
    for i, value in zip(months, new, strict=True):
        result[i] = value
    return result


def _check_months(values: Sequence[Decimal]) -> None:
    if len(values) != 12:
        raise ValueError(f"quarters need 12 months, not {len(values)}")


# --------------------------------------------------------------------------- seasonality

_CHINA_RETAIL = [
    # Jan, Feb set by the Spring Festival (see below); Mar … Dec:
    "0.8",  # Mar: quiet after the festival
    "0.9",  # Apr
    "1.0",  # May: 618 pre-sales start
    "1.4",  # Jun: 618
    "0.9",  # Jul
    "0.8",  # Aug: quiet
    "0.8",  # Sep: quiet
    "1.1",  # Oct: Golden Week, Double 11 pre-sales
    "1.8",  # Nov: Double 11, the biggest
    "1.3",  # Dec: Double 12
]
_B2B = ["0.8", "0.8", "1.1", "1.1", "1.1", "1.1", "1.0", "0.7", "1.1", "1.2", "1.2", "0.8"]


def spring_festival_month(year: int) -> int:
    """The month (1 or 2) of Lunar New Year's Day in ``year``."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return int(Lunar.fromYmd(year, 1, 1).getSolar().getMonth())


def seasonal_weights(profile: str, year: int) -> list[Decimal]:
    """The 12 monthly weights of a seasonal profile (see the table in the module docstring).

    ``year`` matters only for ``china_retail``, whose peak follows the Spring Festival.
    """
    if profile == "even":
        return [Decimal(1)] * 12
    if profile == "b2b":
        return [Decimal(w) for w in _B2B]
    if profile == "china_retail":
        if spring_festival_month(year) == 1:
            january, february = "1.5", "0.9"  # festival and its run-up in Jan; Feb lull
        else:
            january, february = "1.2", "1.5"  # run-up shopping in Jan, festival in Feb
        return [Decimal(w) for w in (january, february, *_CHINA_RETAIL)]
    raise ValueError(f"unknown seasonal profile '{profile}'; choose one of {', '.join(PROFILES)}")
