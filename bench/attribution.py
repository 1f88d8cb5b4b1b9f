"""Benchmark: attribution from 1M touchpoint rows (≈250k journeys, 12 channels).

Journeys of 1–8 touches (fixed seed), about a third converting, rows shuffled. Timed:

* the reduction of the rows to distinct paths with counts
  (:func:`monitoring.analytics.attribution.reduce_touchpoints`: factorised journey ids,
  one lexsort, integer grouping — no path strings);
* every model on the reduced paths (:func:`run_all`: the five rule-based models and the
  exact Markov removal effect);

each against a reference measured in the same run on the same rows — a plain pandas
``groupby("journey")`` of the frame (size, max conversion, sum of value) — so the
ratios compare across machines. Nothing here asserts.

Run: ``.venv/bin/python bench/attribution.py`` (no Django, no database).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.analytics.attribution import (  # noqa: E402
    Reduction,
    collapse,
    reduce_touchpoints,
    run_all,
)

ROWS = 1_000_000
CHANNELS = 12
ROUNDS = 5
SEED = 20270101


def make_frame() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    lengths = rng.integers(1, 9, size=ROWS // 4)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), ROWS) + 1]
    journeys = np.repeat(np.arange(len(lengths)), lengths)[:ROWS]
    position = np.arange(len(journeys)) - np.repeat(np.cumsum(lengths) - lengths, lengths)[:ROWS]
    last = np.r_[journeys[1:] != journeys[:-1], True]
    # upper-funnel channels early, lower-funnel ones late
    channel = np.clip(position + rng.integers(-2, 3, size=len(journeys)), 0, CHANNELS - 1)
    converts = rng.random(len(lengths)) < 0.33
    conversion = (last & converts[journeys]).astype(np.int64)
    frame = pd.DataFrame(
        {
            "journey": np.char.add("J", journeys.astype(str)),
            "timestamp": 1_800_000_000 + journeys * 60 + position * 86_400,
            "channel": channel,
            "conversion": conversion,
            "value": np.where(conversion == 1, rng.integers(5_000, 30_000, len(journeys)), 0),
        }
    )
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def timed(work: Callable[[], object]) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    frame = make_frame()
    columns = [
        frame[c].to_numpy() for c in ("journey", "timestamp", "channel", "conversion", "value")
    ]
    ref_best, ref_median, _ = timed(
        lambda: frame.groupby("journey", sort=False).agg(
            touches=("channel", "size"), converted=("conversion", "max"), value=("value", "sum")
        )
    )
    red_best, red_median, reduced = timed(lambda: reduce_touchpoints(*columns))
    reduction = cast(Reduction, reduced)
    paths = reduction.paths
    run_best, run_median, _ = timed(lambda: run_all(paths, CHANNELS))
    print(
        f"attribution: {len(frame):,} touchpoint rows, {reduction.journeys:,} journeys "
        f"→ {len(paths):,} (path, ages) groups, {len(collapse(paths)):,} distinct paths"
    )
    print(f"{'measure':52} {'best s':>8} {'median s':>9} {'x ref':>7}")
    print(
        f"{'reference: pandas groupby(journey) size/max/sum':52} {ref_best:8.3f} "
        f"{ref_median:9.3f} {1:7.2f}"
    )
    print(
        f"{'reduce touchpoints to paths':52} {red_best:8.3f} {red_median:9.3f} "
        f"{red_best / ref_best:7.2f}"
    )
    print(
        f"{'all six models (Markov solved exactly)':52} {run_best:8.3f} {run_median:9.3f} "
        f"{run_best / ref_best:7.2f}"
    )


if __name__ == "__main__":
    main()
