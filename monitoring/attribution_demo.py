"""The demo plan's customer journeys, for the Attribution tab. Used only by
``manage.py load_demo`` (which recomputes the plan afterwards).

About 100,000 journeys (≈ 282,000 touchpoint rows) over the plan year, fixed seed,
imported as a touchpoint CSV through the importer (so the import history shows it),
plus one refused file. They are made to tell the usual story of a consumer brand:

* **awareness** channels (Douyin, Xiaohongshu, Weibo, Bilibili, WeChat Channels, the
  KOL programme, pop-up stores) open journeys;
* **consideration** channels (the WeChat account, the mini-program, Baidu search) sit
  in the middle;
* **conversion** channels (Tmall, JD, and Baidu search again) close them;
* a journey that met an awareness channel converts far more often than one that did
  not, so the data-driven (Markov) model credits the upper funnel more than last click,
  which gives almost everything to search and the marketplaces.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

import numpy as np
import pandas as pd
from django.contrib.auth.models import User
from django.utils import timezone

from channels.models import Channel, ChannelPlan
from monitoring.attribution import import_journeys
from monitoring.models import ImportStatus, JourneyImport
from planner.models import Plan

SEED = 7027
JOURNEYS = 100_000
AWARENESS = ("douyin", "xiaohongshu", "weibo", "bilibili", "wechat_channels", "kol_koc", "popup")
CONSIDERATION = ("wechat", "mini_program", "sem_baidu")
CONVERSION = ("tmall", "jd", "sem_baidu")
# Touches per journey: 1 to 6.
LENGTHS = (1, 2, 3, 4, 5, 6)
LENGTH_P = (0.24, 0.25, 0.20, 0.14, 0.10, 0.07)


def load(*, plan: Plan, editor: User) -> None:
    """Import the demo journeys once (and a refused correction file)."""
    if JourneyImport.objects.filter(plan=plan).exists():
        return
    body = journeys_csv(plan)
    if not body:
        return
    record = import_journeys(
        plan=plan,
        actor=editor,
        source=io.BytesIO(body),
        filename=f"journeys-{plan.year}.csv",
        size=len(body),
    )
    if record.status != ImportStatus.SUCCEEDED:
        raise RuntimeError(f"the demo journeys were refused: {record.errors[:3]}")
    wrong = (
        b"path,conversions,conversion_value,nulls\n"
        b"douyin > tmall,120,15600.00,2400\n"
        b"douyin > tiktok > tmall,40,5200.00,800\n"  # not a channel of the plan
        b"wechat >  > jd,12,1500.00,300\n"  # an empty step
        b"douyin > tmall,5,600.00,90\n"  # the path again
    )
    import_journeys(
        plan=plan,
        actor=editor,
        source=io.BytesIO(wrong),
        filename="journeys-agency-paths.csv",
        size=len(wrong),
        mode="append",
    )


def _pool(codes: tuple[str, ...], known: set[str]) -> list[str]:
    return [code for code in codes if code in known]


def journeys_csv(plan: Plan) -> bytes:
    """The demo's touchpoint rows as CSV bytes (empty if the plan lacks the channels).

    Drawn in whole arrays (one row per touch), not journey by journey: 100,000
    journeys take well under a second to make.
    """
    budgeted = set(
        ChannelPlan.objects.filter(
            channel__plan=plan, channel__is_active=True, budget__gt=0
        ).values_list("channel__code", flat=True)
    )
    known = budgeted or set(Channel.objects.filter(plan=plan).values_list("code", flat=True))
    pools = [_pool(AWARENESS, known), _pool(CONSIDERATION, known), _pool(CONVERSION, known)]
    if not all(pools):
        return b""
    awareness_pool, consideration_pool, conversion_pool = 0, 1, 2
    rng = np.random.default_rng(SEED)
    lengths = rng.choice(LENGTHS, size=JOURNEYS, p=LENGTH_P).astype(np.int64)
    # The end of each journey: spread over the year, busier around 618 and Double 11.
    day_weight = np.ones(365)
    day_weight[150:172] *= 2.2  # the run-up to 618
    day_weight[300:315] *= 3.0  # Double 11
    end_days = rng.choice(365, size=JOURNEYS, p=day_weight / day_weight.sum())
    journey = np.repeat(np.arange(JOURNEYS), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(len(journey)) - starts[journey]
    length = lengths[journey]
    last = position == length - 1
    # Which pool each touch draws from: awareness opens, consideration sits in the
    # middle, conversion closes; a one-touch journey is a conversion or an awareness touch.
    draw = rng.random(len(journey))
    pool = np.where(
        length == 1,
        np.where(draw < 0.55, conversion_pool, awareness_pool),
        np.where(
            last,
            np.where(draw < 0.8, conversion_pool, consideration_pool),
            np.where(
                position == 0,
                np.where(draw < 0.85, awareness_pool, consideration_pool),
                np.where(draw < 0.6, consideration_pool, awareness_pool),
            ),
        ),
    )
    names = sorted({code for codes in pools for code in codes})
    channel = np.empty(len(journey), dtype=np.int64)
    for index, codes in enumerate(pools):
        mask = pool == index
        choice = rng.integers(len(codes), size=int(mask.sum()))
        channel[mask] = np.array([names.index(code) for code in codes])[choice]
    in_awareness = np.isin(channel, [names.index(code) for code in pools[awareness_pool]])
    aware = np.bincount(journey, weights=in_awareness, minlength=JOURNEYS) > 0
    closer = np.isin(
        channel[starts + lengths - 1], [names.index(code) for code in pools[conversion_pool]]
    )
    chance = 0.05 + 0.16 * aware + 0.08 * closer + 0.02 * lengths
    converted = rng.random(JOURNEYS) < chance
    value = np.round(rng.lognormal(np.log(128), 0.35, size=JOURNEYS), 2)
    # Touch times: the journey ends at a time of day between 08:00 and 23:00; the
    # touches before it come 1.6 days apart on average (and at least 5 minutes).
    end = (
        end_days * 86_400.0
        + rng.uniform(8, 23, size=JOURNEYS) * 3_600
        + rng.uniform(0, 60, size=JOURNEYS) * 60
    )
    gap = np.where(last, 0.0, rng.exponential(1.6, size=len(journey)) * 86_400 + 300)
    running = np.cumsum(gap)
    before_end = running[(starts + lengths - 1)[journey]] - running + gap
    zone = timezone.get_default_timezone()
    year_start = timezone.make_aware(datetime.combine(date(plan.year, 1, 1), time(0)), zone)
    moments = pd.to_datetime(
        year_start.timestamp() + end[journey] - before_end, unit="s", utc=True
    ).tz_convert(zone)
    final = last & converted[journey]
    ids = np.array([f"J{plan.year}-{n + 1:06d}" for n in range(JOURNEYS)], dtype=object)
    frame = pd.DataFrame(
        {
            "journey_id": ids[journey],
            "timestamp": moments.strftime("%Y-%m-%d %H:%M:%S"),
            "channel": np.array(names, dtype=object)[channel],
            "conversion": final.astype(np.int64),
            "conversion_value": np.where(final, np.char.mod("%.2f", value[journey]), ""),
        }
    )
    return frame.to_csv(index=False, lineterminator="\n").encode()
