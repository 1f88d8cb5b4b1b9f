"""Benchmark: attribution of 1M journeys from touchpoints, against ChannelAttribution.

The data (fixed seed): 1,000,000 journeys over 15 channels, 1–8 touches each (about
2.94M touchpoint rows), channels drawn stage by stage (awareness channels open
journeys, consideration ones sit in the middle, marketplaces and search close them)
with repeats (a quarter of the touches repeat the previous channel); about 4 % of the
journeys convert, more often when an awareness channel was met, each with a
lognormal value. A journey's touches end at its conversion (none come after it).

Both sides start from the same touchpoint arrays (journey id, timestamp, channel,
conversion, value), written once to a temporary ``.npz`` and each side runs in its
own subprocess, so its peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``) is its own;
the RSS after loading the arrays (imports included) is printed next to it.

* **ours**: :func:`monitoring.analytics.attribution.reduce_touchpoints` (factorised
  journeys, one lexsort, integer grouping into distinct (path, ages) groups) then
  :func:`run_all` — last click, first click, linear, time decay, position based and
  the Markov removal effect solved exactly. The time is all of it, best of three.
* **theirs**: the ChannelAttribution package (GPL: installed by ``make bench`` only,
  never a runtime dependency). Its input is a path table, built here the plain
  pandas way and timed as its *preparation*: sort the rows by (journey, timestamp),
  per journey join the channel names with ``" > "`` and take whether it converted
  and its value, then group by the path string summing conversions, value and nulls
  (journeys that did not convert). Then ``heuristic_models`` (first, last, linear
  touch; conversions and value) and ``markov_model`` (order 1, ``var_value``,
  ``var_null``, every other parameter at its default: ``nsim_start=1e5``
  simulations, grown until the estimates converge). Best of three.
* **reference Markov**: ``markov_model`` with ``nsim_start=1e8`` (the parameter that
  sets the number of simulated paths) on the same path table, once, for the
  accuracy comparison only. Its ``max_step`` default truncates every simulated path
  at the longest observed path (8 steps), which biases the removal effects of a
  chain with loops; the run also sets ``max_step=100`` so that it estimates the
  same absorbing chain our exact solve computes (printed in the output).

Printed: the heuristic credits per channel, ours and theirs, and their largest
absolute difference; the Markov credits ours vs the 1e8 run; the times and peak RSS
of both sides and the ratios. Nothing here asserts.

Run: ``.venv/bin/python bench/attribution.py`` (about 2–3 minutes; needs
``pip install channelattribution``, which ``make bench`` does).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JOURNEYS = 1_000_000
SEED = 20270101
ROUNDS = 3
REFERENCE_SIMULATIONS = 100_000_000
REFERENCE_MAX_STEP = 100
AWARENESS = ("douyin", "xiaohongshu", "weibo", "bilibili", "wechat_channels", "kol_koc", "popup")
CONSIDERATION = ("wechat", "mini_program", "zhihu", "email")
CONVERSION = ("tmall", "jd", "sem_baidu", "pinduoduo")
CHANNELS = AWARENESS + CONSIDERATION + CONVERSION
LENGTH_P = (0.30, 0.22, 0.16, 0.11, 0.08, 0.06, 0.04, 0.03)  # 1 … 8 touches
REPEAT = 0.25  # chance that a touch repeats the previous channel


def make_touchpoints() -> dict[str, np.ndarray]:
    """The touchpoint rows (fixed seed), shuffled like an export would be."""
    rng = np.random.default_rng(SEED)
    lengths = rng.choice(np.arange(1, 9), size=JOURNEYS, p=LENGTH_P)
    journey = np.repeat(np.arange(JOURNEYS, dtype=np.int64), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(len(journey)) - np.repeat(starts, lengths)
    length = lengths[journey]
    # the stage of each touch: 0 awareness, 1 consideration, 2 conversion
    stage_p = np.array([[0.75, 0.2, 0.05], [0.3, 0.55, 0.15], [0.1, 0.25, 0.65]])
    stage_of_touch = np.where(
        position == 0, 0, np.where(position == length - 1, 2, 1)
    )  # one-touch journeys: "first"
    stage_of_touch = np.where(length == 1, 1, stage_of_touch)
    drawn_stage = (
        rng.random(len(journey))[:, None] > np.cumsum(stage_p[stage_of_touch], axis=1)
    ).sum(axis=1)
    pools = [
        np.arange(len(AWARENESS)),
        len(AWARENESS) + np.arange(len(CONSIDERATION)),
        len(AWARENESS) + len(CONSIDERATION) + np.arange(len(CONVERSION)),
    ]
    # uneven popularity inside each pool
    pool_p = [rng.dirichlet(np.full(len(p), 2.0)) for p in pools]
    channel = np.empty(len(journey), dtype=np.int64)
    for stage, pool in enumerate(pools):
        mask = drawn_stage == stage
        channel[mask] = rng.choice(pool, size=int(mask.sum()), p=pool_p[stage])
    repeat = (rng.random(len(journey)) < REPEAT) & (position > 0)
    for _ in range(8):  # a repeat copies the (possibly repeated) previous touch
        channel = np.where(repeat, np.r_[channel[:1], channel[:-1]], channel)
    aware = np.bincount(journey, weights=channel < len(AWARENESS), minlength=JOURNEYS) > 0
    closer = channel[starts + lengths - 1] >= len(AWARENESS) + len(CONSIDERATION)
    chance = 0.01 + 0.025 * aware + 0.012 * closer + 0.003 * lengths
    converted = rng.random(JOURNEYS) < chance
    last = position == length - 1
    conversion = (last & converted[journey]).astype(np.int64)
    value = np.where(
        conversion == 1, np.round(rng.lognormal(np.log(128), 0.5, len(journey)), 2), 0.0
    )
    end = 1_798_761_600 + rng.integers(0, 365 * 86_400, JOURNEYS)  # 2027
    gaps = rng.exponential(1.6 * 86_400, len(journey)).astype(np.int64) + 300
    # time before the end: the gaps of the later touches of the same journey
    after = np.cumsum(gaps[::-1])[::-1]
    after_end = after - np.repeat(after[starts + lengths - 1], lengths)
    timestamp = end[journey] - after_end
    order = rng.permutation(len(journey))
    return {
        "journey": journey[order],
        "timestamp": timestamp[order],
        "channel": channel[order],
        "conversion": conversion[order],
        "value": value[order],
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- sides (each in its own subprocess) -----------------------------------------------------------


def side_ours(data: dict[str, np.ndarray]) -> dict[str, Any]:
    from monitoring.analytics.attribution import collapse, markov, reduce_touchpoints, run_all

    loaded = peak_rss_mb()
    times, reduce_times = [], []
    result: dict[str, Any] = {}
    reduction = None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        reduction = reduce_touchpoints(
            data["journey"], data["timestamp"], data["channel"], data["conversion"], data["value"]
        )
        reduced = time.perf_counter()
        result = run_all(reduction.paths, len(CHANNELS))
        times.append(time.perf_counter() - start)
        reduce_times.append(reduced - start)
    assert reduction is not None
    markov_times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        markov(collapse(reduction.paths), len(CHANNELS))
        markov_times.append(time.perf_counter() - start)
    credits = {
        model: {"conversions": c.conversions.tolist(), "value": c.value.tolist()}
        for model, c in result.items()
        if c is not None
    }
    return {
        "time": min(times),
        "times": times,
        "reduce": min(reduce_times),
        "markov": min(markov_times),
        "journeys": reduction.journeys,
        "converted": reduction.converted,
        "groups": len(reduction.paths),
        "paths": len(collapse(reduction.paths)),
        "credits": credits,
        "rss_loaded": loaded,
        "rss_peak": peak_rss_mb(),
    }


def path_table(data: dict[str, np.ndarray]) -> Any:
    """Touchpoints → ChannelAttribution's input: one row per distinct path string."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "journey": data["journey"],
            "timestamp": data["timestamp"],
            "channel": np.asarray(CHANNELS, dtype=object)[data["channel"]],
            "conversion": data["conversion"],
            "value": data["value"],
        }
    ).sort_values(["journey", "timestamp"], kind="stable")
    journeys = frame.groupby("journey", sort=False).agg(
        path=("channel", " > ".join), conversions=("conversion", "max"), value=("value", "sum")
    )
    journeys["nulls"] = 1 - journeys["conversions"]
    return journeys.groupby("path", sort=False, as_index=False)[
        ["conversions", "value", "nulls"]
    ].sum()


def _per_channel(frame: Any, column: str) -> list[float]:
    by_name = dict(zip(frame["channel_name"], frame[column], strict=True))
    return [float(by_name.get(name, 0.0)) for name in CHANNELS]


def side_theirs(data: dict[str, np.ndarray]) -> dict[str, Any]:
    import ChannelAttribution as ca

    loaded = peak_rss_mb()
    prep_times, heuristic_times, markov_times, totals = [], [], [], []
    heuristic = markov = table = None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        table = path_table(data)
        prepared = time.perf_counter()
        heuristic = ca.heuristic_models(
            table, "path", "conversions", var_value="value", flg_pro=False
        )
        heuristics_done = time.perf_counter()
        markov = ca.markov_model(
            table,
            "path",
            "conversions",
            var_value="value",
            var_null="nulls",
            order=1,
            verbose=False,
            flg_pro=False,
        )
        end = time.perf_counter()
        prep_times.append(prepared - start)
        heuristic_times.append(heuristics_done - prepared)
        markov_times.append(end - heuristics_done)
        totals.append(end - start)
    assert heuristic is not None and markov is not None and table is not None
    credits = {
        model: {
            "conversions": _per_channel(heuristic, f"{key}_touch_conversions"),
            "value": _per_channel(heuristic, f"{key}_touch_value"),
        }
        for model, key in (("first_click", "first"), ("last_click", "last"), ("linear", "linear"))
    }
    credits["markov"] = {
        "conversions": _per_channel(markov, "total_conversions"),
        "value": _per_channel(markov, "total_conversion_value"),
    }
    return {
        "time": min(totals),
        "times": totals,
        "prep": min(prep_times),
        "heuristic": min(heuristic_times),
        "markov": min(markov_times),
        "paths": len(table),
        "credits": credits,
        "rss_loaded": loaded,
        "rss_peak": peak_rss_mb(),
    }


def side_reference(data: dict[str, np.ndarray]) -> dict[str, Any]:
    import ChannelAttribution as ca

    table = path_table(data)
    start = time.perf_counter()
    markov = ca.markov_model(
        table,
        "path",
        "conversions",
        var_value="value",
        var_null="nulls",
        order=1,
        nsim_start=REFERENCE_SIMULATIONS,
        max_step=REFERENCE_MAX_STEP,
        verbose=False,
        flg_pro=False,
    )
    return {
        "time": time.perf_counter() - start,
        "credits": {
            "markov": {
                "conversions": _per_channel(markov, "total_conversions"),
                "value": _per_channel(markov, "total_conversion_value"),
            }
        },
    }


SIDES = {"ours": side_ours, "theirs": side_theirs, "reference": side_reference}


def run_side(side: str, data_file: Path, out: Path) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, __file__, "--side", side, str(data_file), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,  # the package's banner
    )
    return dict(json.loads(out.read_text()))


# --- report ---------------------------------------------------------------------------------------


def main() -> None:
    if importlib.util.find_spec("ChannelAttribution") is None:
        sys.exit(
            "bench/attribution.py compares against the ChannelAttribution package, which is "
            "not installed (GPL: a benchmark-only tool).\n"
            "Install it into the virtualenv first: .venv/bin/pip install channelattribution "
            "matplotlib (make bench does this)."
        )
    with tempfile.TemporaryDirectory(prefix="almanac-bench-attr-") as tmp:
        data_file = Path(tmp) / "touchpoints.npz"
        touchpoints = make_touchpoints()
        rows = len(touchpoints["journey"])
        np.savez(data_file, **touchpoints)  # type: ignore[arg-type]
        del touchpoints
        ours = run_side("ours", data_file, Path(tmp) / "ours.json")
        theirs = run_side("theirs", data_file, Path(tmp) / "theirs.json")
        reference = run_side("reference", data_file, Path(tmp) / "reference.json")
    report(rows, ours, theirs, reference)


def report(rows: int, ours: dict[str, Any], theirs: dict[str, Any], ref: dict[str, Any]) -> None:
    print(
        f"attribution: {ours['journeys']:,} journeys, {rows:,} touchpoint rows, "
        f"{len(CHANNELS)} channels, {ours['converted']:,} converted "
        f"({ours['converted'] / ours['journeys']:.1%}); {theirs['paths']:,} distinct paths "
        f"(ours: {ours['groups']:,} (path, ages) groups)"
    )
    oc, tc = ours["credits"], theirs["credits"]
    print("\nheuristic credits, ours | ChannelAttribution heuristic_models (conversions; value)")
    print(f"{'channel':16}" + "".join(f"{m:>24}" for m in ("first_click", "last_click", "linear")))
    worst = {"conversions": 0.0, "value": 0.0}
    for i, name in enumerate(CHANNELS):
        cells = []
        for model in ("first_click", "last_click", "linear"):
            ours_c, theirs_c = oc[model]["conversions"][i], tc[model]["conversions"][i]
            cells.append(f"{ours_c:11.3f}|{theirs_c:<11.3f}")
            for kind in worst:
                diff = abs(oc[model][kind][i] - tc[model][kind][i])
                worst[kind] = max(worst[kind], diff)
        print(f"{name:16}" + "".join(f"{c:>24}" for c in cells))
    print(
        f"max |ours − theirs| over first/last/linear × channels: conversions "
        f"{worst['conversions']:.3g}, value {worst['value']:.3g}"
    )

    total = sum(oc["markov"]["conversions"])
    total_value = sum(oc["markov"]["value"])
    rc, dc = ref["credits"]["markov"], tc["markov"]
    print(
        f"\nMarkov credits: ours (exact) | ChannelAttribution markov_model with "
        f"nsim_start={REFERENCE_SIMULATIONS:.0e}, max_step={REFERENCE_MAX_STEP} "
        f"({ref['time']:.0f} s) | its default run"
    )
    print(
        f"{'channel':16}{'share':>7}{'ours':>11}{'1e8 run':>11}{'diff':>8}"
        f"{'value ours':>14}{'1e8 run':>14}{'diff':>8}{'default':>11}{'diff':>8}"
    )
    worst_rel = worst_value_rel = worst_default = 0.0
    for i, name in enumerate(CHANNELS):
        ours_c, ref_c, default_c = (
            oc["markov"]["conversions"][i],
            rc["conversions"][i],
            dc["conversions"][i],
        )
        ours_v, ref_v = oc["markov"]["value"][i], rc["value"][i]
        share = ours_c / total
        rel = (ours_c - ref_c) / ref_c if ref_c else 0.0
        rel_v = (ours_v - ref_v) / ref_v if ref_v else 0.0
        rel_d = (ours_c - default_c) / default_c if default_c else 0.0
        if share >= 0.02:
            worst_rel = max(worst_rel, abs(rel))
            worst_value_rel = max(worst_value_rel, abs(rel_v))
            worst_default = max(worst_default, abs(rel_d))
        print(
            f"{name:16}{share:7.1%}{ours_c:11.1f}{ref_c:11.1f}{rel:+8.2%}"
            f"{ours_v:14,.0f}{ref_v:14,.0f}{rel_v:+8.2%}{default_c:11.1f}{rel_d:+8.2%}"
        )
    print(
        f"channels with ≥ 2 % share: max |ours − 1e8 run| / 1e8 run = {worst_rel:.2%} "
        f"(conversions), {worst_value_rel:.2%} (value); vs the default run {worst_default:.2%}"
        f"  [totals: {total:,.0f} conversions, {total_value:,.0f} value]"
    )

    rows_out = [
        ("theirs: path table + heuristic_models + markov_model (A)", theirs["time"], None),
        ("  path table from the touchpoints (pandas)", theirs["prep"], None),
        ("  heuristic_models", theirs["heuristic"], None),
        ("  markov_model, default (nsim_start=1e5, to convergence) (M)", theirs["markov"], None),
        ("ours: reduce_touchpoints + run_all, all six models (B)", ours["time"], None),
        ("  reduce_touchpoints", ours["reduce"], None),
        ("  run_all on the reduced paths", ours["time"] - ours["reduce"], None),
        ("ours: Markov alone on the reduced paths (collapse + markov) (N)", ours["markov"], None),
        (
            "B / A  (both from touchpoints, all included; target ≤ 0.70)",
            None,
            ours["time"] / theirs["time"],
        ),
        (
            "B / (heuristic_models + markov_model), path table given",
            None,
            ours["time"] / (theirs["heuristic"] + theirs["markov"]),
        ),
        (
            "run_all / (heuristic_models + markov_model), both from paths",
            None,
            (ours["time"] - ours["reduce"]) / (theirs["heuristic"] + theirs["markov"]),
        ),
        (
            "N / M  (Markov model step alone, both from paths; target ≤ 0.50)",
            None,
            ours["markov"] / theirs["markov"],
        ),
        (
            "(reduce + N) / (path table + M)  (Markov from touchpoints)",
            None,
            (ours["reduce"] + ours["markov"]) / (theirs["prep"] + theirs["markov"]),
        ),
        (
            "B / M  (ours, everything, vs their markov_model call alone)",
            None,
            ours["time"] / theirs["markov"],
        ),
    ]
    print(f"\n{'time, best of 3 (s) and ratios':70} {'s':>7} {'ratio':>7}")
    for label, seconds, ratio in rows_out:
        print(
            f"{label:70} {'' if seconds is None else f'{seconds:7.2f}':>7} "
            f"{'' if ratio is None else f'{ratio:7.2f}':>7}"
        )
    print(
        f"\n{'peak RSS, own subprocess, MB':56} {'peak':>7} {'ratio':>7} {'loaded':>7}{'added':>8}"
    )
    for label, side in (("theirs (A)", theirs), ("ours (B)", ours)):
        print(
            f"{label:56} {side['rss_peak']:7.0f} {side['rss_peak'] / theirs['rss_peak']:7.2f} "
            f"{side['rss_loaded']:7.0f} {side['rss_peak'] - side['rss_loaded']:7.0f}"
        )
    print("(target ≤ 1.50 × theirs; loaded = after the imports and the touchpoint arrays)")
    print(
        "\nall runs: ours "
        + ", ".join(f"{t:.2f}" for t in ours["times"])
        + " s; theirs "
        + ", ".join(f"{t:.2f}" for t in theirs["times"])
        + " s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=sorted(SIDES))
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    if args.side:
        with np.load(args.files[0]) as archive:
            arrays = {key: archive[key] for key in archive.files}
        Path(args.files[1]).write_text(json.dumps(SIDES[args.side](arrays)))
    else:
        main()
