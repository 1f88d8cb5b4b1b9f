"""Multi-touch attribution: who gets the credit for a conversion.

Pure numpy: no Django, no database. Journeys come in as touchpoint arrays, are
reduced to **distinct paths with counts** (:func:`reduce_touchpoints`), and every
model works on those paths (:class:`Paths`), so a million journeys cost what a few
thousand distinct paths cost.

Paths
-----
A :class:`Paths` is a ragged array: ``channels`` holds every path's touches one after
the other (channel indexes ``0 … n_channels-1``) and ``lengths`` how many touches
each path has. Per path: ``conversions`` (journeys that converted after it),
``value`` (their total conversion value) and ``nulls`` (journeys that ended without
converting). ``ages`` (optional, aligned with ``channels``) holds, for the touches
of converting paths, the whole days between the touch and the conversion; only time
decay needs it.

Models (credits per channel; each model's credits add up to the total conversions
and the total value)
----------------------------------------------------------------------------------
* **last click** / **first click**: all of a conversion to the last / first touch.
* **linear**: equal parts to every touch (a channel touched twice gets two parts).
* **time decay**: a touch ``a`` days before the conversion weighs
  ``2 ** (-a / half_life)``; the conversion is shared in proportion to the weights.
* **position based**: ``first_share`` to the first touch, ``last_share`` to the
  last, the rest in equal parts to the touches between. One touch gets everything;
  two touches share in proportion ``first_share : last_share`` (40/40 → 50/50), since
  there is no middle to give the rest to.
* **Markov (removal effect)**: a first-order absorbing Markov chain with the states
  start, the channels, conversion and null, its transition probabilities counted
  from the paths. ``P(conversion)`` from start is solved exactly with the
  fundamental matrix (a linear solve, no simulation). Removing a channel sends every
  transition into it to null; its removal effect is ``1 − P_without / P``. The
  conversions are shared in proportion to the removal effects. For the value, the
  conversion state is split by the state it was reached from, each worth the mean
  value of the conversions reached from there; the expected value from start (and
  without each channel) gives value removal effects the same way.

No model returns NaN: with no conversions every credit is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Model keys, in the order the pages show them.
MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based", "markov")
DEFAULT_HALF_LIFE_DAYS = 7.0
DEFAULT_FIRST_SHARE = 0.4
DEFAULT_LAST_SHARE = 0.4
SECONDS_PER_DAY = 86_400


# --- paths -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    """Distinct paths with their counts (see the module docstring)."""

    channels: IntArray
    lengths: IntArray
    conversions: FloatArray
    value: FloatArray
    nulls: FloatArray
    ages: IntArray | None = None
    starts: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lengths = np.asarray(self.lengths, dtype=np.int64)
        if (lengths < 1).any():
            raise ValueError("every path has at least one touch")
        if int(lengths.sum()) != len(self.channels):
            raise ValueError("the lengths must add up to the number of touches")
        for name in ("conversions", "value", "nulls"):
            column = np.asarray(getattr(self, name), dtype=np.float64)
            if len(column) != len(lengths):
                raise ValueError(f"{name} needs one entry per path")
            if not np.isfinite(column).all() or (column < 0).any():
                raise ValueError(f"{name} must be finite and not negative")
            object.__setattr__(self, name, column)
        if self.ages is not None and len(self.ages) != len(self.channels):
            raise ValueError("ages needs one entry per touch")
        object.__setattr__(self, "lengths", lengths)
        object.__setattr__(self, "channels", np.asarray(self.channels, dtype=np.int64))
        starts = np.zeros(len(lengths), dtype=np.int64)
        if len(lengths) > 1:
            starts[1:] = np.cumsum(lengths)[:-1]
        object.__setattr__(self, "starts", starts)

    @classmethod
    def from_lists(
        cls,
        paths: Sequence[Sequence[int]],
        conversions: Sequence[float],
        value: Sequence[float] | None = None,
        nulls: Sequence[float] | None = None,
        ages: Sequence[Sequence[int] | None] | None = None,
    ) -> Paths:
        """Paths from Python lists (the stored rows, or a test's hand-written ones).

        ``ages`` per path: a list as long as the path, or None for a path without
        timestamps (then the whole set has no ages).
        """
        count = len(paths)
        flat = np.fromiter((c for p in paths for c in p), dtype=np.int64)
        lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=count)
        flat_ages: IntArray | None = None
        if ages is not None and all(a is not None for a in ages):
            flat_ages = np.fromiter((x for a in ages for x in (a or ())), dtype=np.int64)
        return cls(
            channels=flat,
            lengths=lengths,
            conversions=np.asarray(conversions, dtype=np.float64),
            value=np.asarray(value if value is not None else [0.0] * count, dtype=np.float64),
            nulls=np.asarray(nulls if nulls is not None else [0.0] * count, dtype=np.float64),
            ages=flat_ages,
        )

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def path_of_touch(self) -> IntArray:
        return np.repeat(np.arange(len(self.lengths), dtype=np.int64), self.lengths)

    @property
    def first(self) -> IntArray:
        return self.channels[self.starts]

    @property
    def last(self) -> IntArray:
        return self.channels[self.starts + self.lengths - 1]

    def lists(self) -> list[list[int]]:
        """Each path as a list of channel indexes (for storing; paths are few)."""
        return [
            self.channels[s : s + n].tolist()
            for s, n in zip(self.starts, self.lengths, strict=True)
        ]

    def age_lists(self) -> list[list[int] | None]:
        """Each path's ages (None for a path without conversions or without ages)."""
        if self.ages is None:
            return [None] * len(self)
        return [
            self.ages[s : s + n].tolist() if c > 0 else None
            for s, n, c in zip(self.starts, self.lengths, self.conversions, strict=True)
        ]


def _bincount(x: IntArray, *, weights: FloatArray, minlength: int) -> FloatArray:
    """``np.bincount`` with weights, typed as float64 (what it returns)."""
    return np.asarray(np.bincount(x, weights=weights, minlength=minlength), dtype=np.float64)


def _group_rows(keys: list[IntArray], lengths: IntArray) -> tuple[IntArray, IntArray]:
    """Group ragged rows (touch-aligned key arrays) that are equal in every key.

    Returns (group of each row, one representative row per group), the groups
    numbered in a stable order (by length, then by content, key by key and touch by
    touch). Rows are bucketed by length; in each bucket the columns of the row
    matrix are packed into one int64 code per row, as many columns at a time as fit
    in 62 bits, and the code is renumbered densely in sorted order
    (:func:`_dense_codes`) before the next columns are packed in. Exact (no
    hashing collisions), vectorised, and no larger in memory than the touches.
    """
    count = len(lengths)
    group = np.empty(count, dtype=np.int64)
    representatives: list[IntArray] = []
    starts = np.zeros(count, dtype=np.int64)
    if count > 1:
        starts[1:] = np.cumsum(lengths)[:-1]
    # each key's columns shifted to start at 0, with their radix (max + 1)
    bases = [(key, int(key.min()) if len(key) else 0) for key in keys]
    radixes = [int(key.max()) - base + 1 if len(key) else 1 for key, base in bases]
    next_group = 0
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        first_touch = starts[rows]
        code = np.zeros(len(rows), dtype=np.int64)
        groups_so_far = 1
        for (key, base), radix in zip(bases, radixes, strict=True):
            for offset in range(length):
                if groups_so_far * radix >= 1 << 62:
                    code, groups_so_far = _dense_codes(code)
                code = code * radix + (key[first_touch + offset] - base)
                groups_so_far *= radix
        code, groups = _dense_codes(code)
        group[rows] = next_group + code
        representative = np.empty(groups, dtype=np.int64)
        representative[code] = rows  # any row of a group stands for it: all are equal
        representatives.append(representative)
        next_group += groups
    return group, (
        np.concatenate(representatives) if representatives else np.empty(0, dtype=np.int64)
    )


def _dense_codes(code: IntArray) -> tuple[IntArray, int]:
    """Renumber integer codes 0 … k−1 in sorted order (hash-based, no full sort)."""
    dense, uniques = pd.factorize(code, sort=True)
    return dense.astype(np.int64, copy=False), max(len(uniques), 1)


def _take(flat: IntArray, starts: IntArray, lengths: IntArray, rows: IntArray) -> IntArray:
    """The touches of ``rows`` (a ragged selection), concatenated."""
    if not len(rows):
        return np.empty(0, dtype=flat.dtype)
    n = lengths[rows]
    offsets = np.repeat(starts[rows] - np.concatenate(([0], np.cumsum(n)[:-1])), n)
    return flat[offsets + np.arange(int(n.sum()), dtype=np.int64)]


def collapse(paths: Paths, *, keep_ages: bool = False) -> Paths:
    """Merge paths with the same channel sequence (and, with ``keep_ages``, the same
    ages), adding their conversions, values and nulls."""
    if not len(paths):
        return paths
    keys = [paths.channels]
    if keep_ages and paths.ages is not None:
        keys.append(paths.ages)
    group, rep = _group_rows(keys, paths.lengths)
    groups = len(rep)
    channels = _take(paths.channels, paths.starts, paths.lengths, rep)
    ages = (
        _take(paths.ages, paths.starts, paths.lengths, rep)
        if keep_ages and paths.ages is not None
        else None
    )
    return Paths(
        channels=channels,
        lengths=paths.lengths[rep],
        conversions=_bincount(group, weights=paths.conversions, minlength=groups),
        value=_bincount(group, weights=paths.value, minlength=groups),
        nulls=_bincount(group, weights=paths.nulls, minlength=groups),
        ages=ages,
    )


@dataclass(frozen=True)
class Reduction:
    """What :func:`reduce_touchpoints` made of the touchpoints."""

    paths: Paths  # converting paths keyed by (channels, ages); the others by channels
    journeys: int
    converted: int
    touches_cut: int  # touches after their journey's conversion, dropped


def reduce_touchpoints(
    journey: npt.ArrayLike,
    timestamp: npt.ArrayLike,
    channel: npt.ArrayLike,
    conversion: npt.ArrayLike,
    value: npt.ArrayLike,
) -> Reduction:
    """Touchpoint rows → distinct paths with counts, all in integer arrays.

    ``journey``: any labels (factorised here); ``timestamp``: seconds (int64);
    ``channel``: channel indexes; ``conversion``: 0/1; ``value``: the conversion
    value on the converting touch (ignored elsewhere).

    1. Order the touches by (journey, timestamp, input order) with one stable sort.
    2. Cut every journey at its first conversion: touches after it are dropped
       (counted in ``touches_cut``).
    3. Per journey: its length, whether it converted, its value, and each touch's
       age in whole days before the conversion (``floor``).
    4. Group the converting journeys by (channels, ages) and the others by channels.
    """
    labels = np.asarray(journey)
    codes = (
        labels.astype(np.int64)
        if labels.dtype.kind in "iu"
        else pd.factorize(labels, sort=False)[0].astype(np.int64)
    )
    stamps = np.asarray(timestamp, dtype=np.int64)
    channels = np.asarray(channel, dtype=np.int64)
    converts = np.asarray(conversion, dtype=np.int64)
    values = np.asarray(value, dtype=np.float64)
    total = len(codes)
    if total == 0:
        none = np.empty(0, dtype=np.float64)
        empty = Paths(np.empty(0, np.int64), np.empty(0, np.int64), none, none, none)
        return Reduction(empty, 0, 0, 0)
    # 1
    order = _journey_order(codes, stamps)
    codes, stamps, channels = codes[order], stamps[order], channels[order]
    converts, values = converts[order], values[order]
    new_journey = np.r_[True, codes[1:] != codes[:-1]]
    journey_of = np.cumsum(new_journey) - 1
    # 2: conversions strictly before each touch, within its journey
    running = np.cumsum(converts)
    before_start = (running - converts)[new_journey]  # conversions before the journey
    seen_before = running - converts - before_start[journey_of]
    keep = seen_before == 0
    touches_cut = int(total - keep.sum())
    journey_of, stamps, channels = journey_of[keep], stamps[keep], channels[keep]
    converts, values = converts[keep], values[keep]
    # 3
    n_journeys = int(journey_of[-1]) + 1
    lengths = np.bincount(journey_of, minlength=n_journeys).astype(np.int64)
    converted = np.zeros(n_journeys, dtype=bool)
    converted[journey_of[converts == 1]] = True
    journey_value = _bincount(
        journey_of, weights=np.where(converts == 1, values, 0.0), minlength=n_journeys
    )
    conversion_time = np.zeros(n_journeys, dtype=np.int64)
    conversion_time[journey_of[converts == 1]] = stamps[converts == 1]
    ages = np.where(
        converted[journey_of],
        np.floor_divide(conversion_time[journey_of] - stamps, SECONDS_PER_DAY),
        0,
    ).astype(np.int64)
    as_paths = Paths(
        channels=channels,
        lengths=lengths,
        conversions=converted.astype(np.float64),
        value=journey_value,
        nulls=(~converted).astype(np.float64),
        ages=ages,
    )
    # 4: ages are 0 on the non-converting journeys, so one grouping keys both kinds
    # right once the "converted" flag is part of the key.
    flag = np.repeat(converted.astype(np.int64), lengths)
    group, rep = _group_rows([channels, ages, flag], lengths)
    groups = len(rep)
    reduced = Paths(
        channels=_take(channels, as_paths.starts, lengths, rep),
        lengths=lengths[rep],
        conversions=_bincount(group, weights=as_paths.conversions, minlength=groups),
        value=_bincount(group, weights=journey_value, minlength=groups),
        nulls=_bincount(group, weights=as_paths.nulls, minlength=groups),
        ages=_take(ages, as_paths.starts, lengths, rep),
    )
    return Reduction(reduced, n_journeys, int(converted.sum()), touches_cut)


def _journey_order(codes: IntArray, stamps: IntArray) -> IntArray:
    """The touches ordered by (journey, timestamp, input order).

    One stable argsort of a packed (journey, timestamp) key when it fits in 63 bits
    (it does for any realistic export: a million journeys over a year of seconds
    take 45 bits), else a three-key lexsort.
    """
    low = int(stamps.min())
    span = int(stamps.max()) - low + 1
    first = int(codes.min())
    journeys = int(codes.max()) - first + 1
    if journeys * span < 1 << 62:
        packed = (codes - first) * span + (stamps - low)
        return np.argsort(packed, kind="stable").astype(np.int64, copy=False)
    return np.lexsort((np.arange(len(codes)), stamps, codes)).astype(np.int64, copy=False)


# --- credits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credits:
    """A model's credit per channel index: conversions and value."""

    conversions: FloatArray
    value: FloatArray


def _credits_from_weights(paths: Paths, weights: FloatArray, n_channels: int) -> Credits:
    """Share each path's conversions and value over its touches by ``weights``
    (touch-aligned, each path's weights adding up to 1)."""
    owner = paths.path_of_touch
    conversions = _bincount(
        paths.channels, weights=weights * paths.conversions[owner], minlength=n_channels
    )
    value = _bincount(paths.channels, weights=weights * paths.value[owner], minlength=n_channels)
    return Credits(conversions[:n_channels], value[:n_channels])


def last_click(paths: Paths, n_channels: int) -> Credits:
    return Credits(
        _bincount(paths.last, weights=paths.conversions, minlength=n_channels)[:n_channels],
        _bincount(paths.last, weights=paths.value, minlength=n_channels)[:n_channels],
    )


def first_click(paths: Paths, n_channels: int) -> Credits:
    return Credits(
        _bincount(paths.first, weights=paths.conversions, minlength=n_channels)[:n_channels],
        _bincount(paths.first, weights=paths.value, minlength=n_channels)[:n_channels],
    )


def linear(paths: Paths, n_channels: int) -> Credits:
    weights = 1.0 / np.repeat(paths.lengths, paths.lengths).astype(np.float64)
    return _credits_from_weights(paths, weights, n_channels)


def time_decay(
    paths: Paths, n_channels: int, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> Credits:
    """Raises ValueError when the paths have no ages (no timestamps)."""
    if not half_life_days > 0 or not np.isfinite(half_life_days):
        raise ValueError("the half-life must be a positive number of days")
    if paths.ages is None:
        raise ValueError("time decay needs the touches' timestamps")
    raw = np.exp2(-paths.ages.astype(np.float64) / float(half_life_days))
    owner = paths.path_of_touch
    totals = _bincount(owner, weights=raw, minlength=len(paths))
    return _credits_from_weights(paths, raw / totals[owner], n_channels)


def position_weights(
    lengths: IntArray,
    first_share: float = DEFAULT_FIRST_SHARE,
    last_share: float = DEFAULT_LAST_SHARE,
) -> FloatArray:
    """Touch-aligned position-based weights (see the module docstring)."""
    if not (first_share >= 0 and last_share >= 0 and first_share + last_share <= 1):
        raise ValueError("the first and last shares are 0 or more and add up to at most 1")
    n = np.repeat(lengths, lengths)
    position = np.arange(len(n), dtype=np.int64) - np.repeat(
        np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths, lengths
    )
    ends = first_share + last_share
    two_first = first_share / ends if ends > 0 else 0.5
    middle = (1.0 - ends) / np.maximum(n - 2, 1)
    weights = np.where(position == 0, first_share, np.where(position == n - 1, last_share, middle))
    weights = np.where(n == 2, np.where(position == 0, two_first, 1.0 - two_first), weights)
    return np.where(n == 1, 1.0, weights).astype(np.float64)


def position_based(
    paths: Paths,
    n_channels: int,
    first_share: float = DEFAULT_FIRST_SHARE,
    last_share: float = DEFAULT_LAST_SHARE,
) -> Credits:
    weights = position_weights(paths.lengths, first_share, last_share)
    return _credits_from_weights(paths, weights, n_channels)


# --- Markov ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkovResult:
    credits: Credits
    conversion_probability: float  # P(conversion) from start, all channels present
    removal_effects: FloatArray  # per channel, on conversions
    value_removal_effects: FloatArray


def _transitions(paths: Paths, n_channels: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Transition counts: among transient states (0 = start, 1 + c = channel c), into
    null, and into conversion per the state it comes from."""
    size = n_channels + 1
    weight = paths.conversions + paths.nulls
    owner = paths.path_of_touch
    state = paths.channels + 1
    # start → first touch
    flat = _bincount(paths.first + 1, weights=weight, minlength=size * size)
    # touch → next touch, within a path
    inner = np.ones(len(state), dtype=bool)
    inner[paths.starts + paths.lengths - 1] = False
    following = np.flatnonzero(inner)
    flat += _bincount(
        state[following] * size + state[following + 1],
        weights=weight[owner[following]],
        minlength=size * size,
    )
    flows = flat.reshape(size, size)
    to_null = _bincount(paths.last + 1, weights=paths.nulls, minlength=size)
    to_conversion = _bincount(paths.last + 1, weights=paths.conversions, minlength=size)
    return flows, to_null, to_conversion


def _absorption(q: FloatArray, reward: FloatArray) -> float:
    """Expected reward collected on absorption, from start: solve (I − Q) x = r."""
    size = len(q)
    x = np.linalg.solve(np.eye(size) - q, reward)
    return float(x[0])


def markov(paths: Paths, n_channels: int) -> MarkovResult:
    """The removal-effect model, solved exactly (see the module docstring).

    1. Count the transitions (start → first touch → … → last touch → conversion or
       null), each path weighted by its journeys.
    2. Normalise each transient state's row into probabilities ``Q`` (among
       transient states), ``r_conv`` (into conversion) and ``r_val`` (into
       conversion × the mean value of the conversions reached from that state).
    3. ``P = [(I − Q)⁻¹ r_conv]_start``, by ``numpy.linalg.solve``; same for value.
    4. For each channel c, redirect the column of c in ``Q`` to null (and c's own
       row can no longer be reached), solve again: ``RE_c = 1 − P_c / P``.
    5. Share the total conversions (value) in proportion to the removal effects.
    """
    zeros = np.zeros(n_channels, dtype=np.float64)
    total_conversions = float(paths.conversions.sum())
    total_value = float(paths.value.sum())
    if not len(paths) or total_conversions <= 0:
        return MarkovResult(Credits(zeros, zeros.copy()), 0.0, zeros.copy(), zeros.copy())
    flows, to_null, to_conversion = _transitions(paths, n_channels)
    out = flows.sum(axis=1) + to_null + to_conversion
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=out > 0)
    q = flows * scale[:, None]
    r_conversion = to_conversion * scale
    last = paths.last + 1
    value_in = _bincount(last, weights=paths.value, minlength=len(out))
    mean_value = np.divide(
        value_in, to_conversion, out=np.zeros_like(value_in), where=to_conversion > 0
    )
    r_value = r_conversion * mean_value
    base = _absorption(q, r_conversion)
    base_value = _absorption(q, r_value)
    effects = np.zeros(n_channels, dtype=np.float64)
    value_effects = np.zeros(n_channels, dtype=np.float64)
    for c in np.unique(paths.channels).tolist():
        removed = q.copy()
        removed[:, c + 1] = 0.0  # transitions into c now end in null
        removed[c + 1, :] = 0.0  # and c is never left (it cannot be reached anyway)
        rc, rv = r_conversion.copy(), r_value.copy()
        rc[c + 1] = rv[c + 1] = 0.0
        if base > 0:
            effects[c] = max(0.0, 1.0 - _absorption(removed, rc) / base)
        if base_value > 0:
            value_effects[c] = max(0.0, 1.0 - _absorption(removed, rv) / base_value)
    conversions = _share(effects, total_conversions)
    value = _share(value_effects, total_value)
    return MarkovResult(Credits(conversions, value), base, effects, value_effects)


def _share(weights: FloatArray, total: float) -> FloatArray:
    weight_sum = float(weights.sum())
    if weight_sum <= 0 or total <= 0:
        return np.zeros_like(weights)
    return weights / weight_sum * total


# --- all models -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    first_share: float = DEFAULT_FIRST_SHARE
    last_share: float = DEFAULT_LAST_SHARE


def run_all(
    paths: Paths, n_channels: int, parameters: Parameters | None = None
) -> dict[str, Credits | None]:
    """Every model's credits; time decay is None when the paths have no ages."""
    p = parameters or Parameters()
    plain = collapse(paths)
    return {
        "last_click": last_click(plain, n_channels),
        "first_click": first_click(plain, n_channels),
        "linear": linear(plain, n_channels),
        "time_decay": (
            time_decay(paths, n_channels, p.half_life_days) if paths.ages is not None else None
        ),
        "position_based": position_based(plain, n_channels, p.first_share, p.last_share),
        "markov": markov(plain, n_channels).credits,
    }


def round_to_total(amounts: FloatArray, total_cents: int) -> IntArray:
    """Amounts rounded to cents so that they add up to exactly ``total_cents``
    (largest remainder: the cents lost by rounding down go to the largest fractions)."""
    if not len(amounts):
        return np.zeros(0, dtype=np.int64)
    cents = np.asarray(amounts, dtype=np.float64) * 100.0
    floor = np.floor(cents + 1e-9).astype(np.int64)
    missing = int(total_cents - floor.sum())
    if missing > 0:
        order = np.argsort(-(cents - floor), kind="stable")
        floor[order[: min(missing, len(floor))]] += 1
    elif missing < 0:
        order = np.argsort(cents - floor, kind="stable")
        for i in order[:-missing]:
            floor[i] -= 1 if floor[i] > 0 else 0
    return floor
