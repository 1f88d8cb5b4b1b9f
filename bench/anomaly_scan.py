"""Benchmark: the seasonal anomaly scan over 1M daily rows (1,000 series × 1,000 days).

The data has a weekly rhythm (a different strength and peak day per series), multiplicative
noise, 1% missing days and 2,000 injected spikes and drops (fixed seed). The scan
(:func:`monitoring.analytics.anomaly.scan`) is timed against a reference measured in the same
run on the same frame — a plain grouped rolling z-score (pandas ``groupby`` +
``rolling(28).mean()/.std()``) — so the ratio compares across machines (target: at most 3×).
Recall on the injected anomalies and the false alarms on the other days are printed as a
sanity check of the detector, not as a time. Nothing here asserts.

Run: ``.venv/bin/python bench/anomaly_scan.py`` (no Django, no database).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.analytics.anomaly import scan, scan_incidents  # noqa: E402

SERIES = 1_000
DAYS = 1_000
SPIKES_PER_SERIES = 2
FIRST_SPIKE_DAY = 70  # the detector needs about seven weeks of history
ROUNDS = 7
SEED = 20250101


def make_frame() -> tuple[pd.DataFrame, np.ndarray]:
    """The long frame and a boolean (series × days) mask of the injected anomalies."""
    rng = np.random.default_rng(SEED)
    level = np.exp(rng.uniform(np.log(20), np.log(200_000), SERIES))[:, None]
    strength = rng.uniform(0.0, 0.45, SERIES)[:, None]
    peak = rng.integers(0, 7, SERIES)[:, None]
    day = np.arange(DAYS)[None, :]
    weekly = 1 + strength * np.cos(2 * np.pi * (day - peak) / 7)
    trend = 1 + rng.uniform(-0.3, 0.6, SERIES)[:, None] * day / DAYS
    values = level * weekly * trend * (1 + 0.05 * rng.standard_normal((SERIES, DAYS)))

    injected = np.zeros((SERIES, DAYS), dtype=bool)
    gap = (DAYS - FIRST_SPIKE_DAY) // SPIKES_PER_SERIES
    for k in range(SPIKES_PER_SERIES):  # one spike in each stretch of the series
        where = FIRST_SPIKE_DAY + k * gap + rng.integers(0, gap - 7, SERIES)
        up = rng.random(SERIES) < 0.6
        factor = np.where(up, rng.uniform(1.6, 3.0, SERIES), rng.uniform(0.1, 0.45, SERIES))
        values[np.arange(SERIES), where] *= factor
        injected[np.arange(SERIES), where] = True
    values[rng.random((SERIES, DAYS)) < 0.01] = np.nan
    injected &= ~np.isnan(values)

    frame = pd.DataFrame(
        {
            "series": np.repeat([f"plan1:ch{i:04d}:spend" for i in range(SERIES)], DAYS),
            "date": np.tile(pd.date_range("2023-01-02", periods=DAYS).to_numpy(), SERIES),
            "value": values.ravel(),
        }
    )
    return frame, injected


def reference(frame: pd.DataFrame) -> pd.Series:
    """A plain grouped rolling z-score: (value − mean of 28 days) ÷ their standard deviation."""
    grouped = frame.groupby("series", sort=False)["value"]
    mean = grouped.rolling(28, min_periods=7).mean().reset_index(level=0, drop=True)
    std = grouped.rolling(28, min_periods=7).std().reset_index(level=0, drop=True)
    return (frame["value"] - mean) / std


def timed(*fns: Callable[[], object]) -> list[tuple[float, float]]:
    """Best and median wall time (seconds) of each function over ``ROUNDS`` rounds.

    The functions run in turn within each round (after one warm-up), so a machine that is
    busy for a while slows all of them alike and the ratios stay fair.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(ROUNDS):
        for fn, spent in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - started)
    return [(min(spent), statistics.median(spent)) for spent in times]


def run() -> dict[str, float]:
    """Measure and return the figures (seconds, ratios and rates)."""
    frame, injected = make_frame()
    (scan_best, scan_median), (ref_best, ref_median) = timed(
        lambda: scan(frame), lambda: reference(frame)
    )
    result = scan(frame)
    ((incidents_s, _),) = timed(lambda: scan_incidents(result))

    flags = result["flag"].to_numpy().reshape(SERIES, DAYS)
    eligible = np.zeros_like(injected)
    eligible[:, FIRST_SPIKE_DAY:] = True
    eligible &= ~np.isnan(frame["value"].to_numpy().reshape(SERIES, DAYS))
    recall = flags[injected].mean()
    normal = eligible & ~injected
    false_per_series_year = flags[normal].sum() / normal.sum() * 365
    return {
        "rows": float(len(frame)),
        "scan_s": scan_best,
        "scan_median_s": scan_median,
        "reference_s": ref_best,
        "reference_median_s": ref_median,
        "ratio": scan_best / ref_best,
        "ratio_median": scan_median / ref_median,
        "incidents_s": incidents_s,
        "recall": float(recall),
        "injected": float(injected.sum()),
        "false_alarms_per_series_year": float(false_per_series_year),
    }


def main() -> None:
    figures = run()
    print(
        f"\nAnomaly scan — {int(figures['rows']):,} daily rows ({SERIES:,} series × {DAYS:,}"
        f" days), best of {ROUNDS} runs"
    )
    print(f"{'measure':52} {'best s':>8} {'median s':>9} {'x ref':>7}")
    print(
        f"{'reference: grouped rolling(28) mean/std z-score':52}"
        f" {figures['reference_s']:8.3f} {figures['reference_median_s']:9.3f} {1:7.1f}"
    )
    print(
        f"{'scan (seasonal robust detector)':52} {figures['scan_s']:8.3f}"
        f" {figures['scan_median_s']:9.3f} {figures['ratio']:7.1f}"
        f"   (medians: {figures['ratio_median']:.1f}x; target <= 3.0x)"
    )
    print(f"{'scan_incidents on the result':52} {figures['incidents_s']:8.3f}")
    print(
        f"recall on {int(figures['injected']):,} injected spikes and drops:"
        f" {figures['recall']:.1%}; false alarms on the other days:"
        f" {figures['false_alarms_per_series_year']:.2f} per series-year"
    )


if __name__ == "__main__":
    main()
