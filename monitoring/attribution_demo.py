"""The demo plan's customer journeys, for the Attribution tab. Used only by
``manage.py load_demo`` (which recomputes the plan afterwards).

About 30,000 journeys over the plan year, fixed seed, imported as a touchpoint CSV
through the importer (so the import history shows it), plus one refused file. They
are made to tell the usual story of a consumer brand:

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

import csv
import io
from datetime import date, datetime, time, timedelta

import numpy as np
from django.contrib.auth.models import User
from django.utils import timezone

from channels.models import Channel, ChannelPlan
from monitoring.attribution import import_journeys
from monitoring.models import ImportStatus, JourneyImport
from planner.models import Plan

SEED = 7027
JOURNEYS = 30_000
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
    """The demo's touchpoint rows as CSV bytes (empty if the plan lacks the channels)."""
    budgeted = set(
        ChannelPlan.objects.filter(
            channel__plan=plan, channel__is_active=True, budget__gt=0
        ).values_list("channel__code", flat=True)
    )
    known = budgeted or set(Channel.objects.filter(plan=plan).values_list("code", flat=True))
    awareness = _pool(AWARENESS, known)
    consideration = _pool(CONSIDERATION, known)
    conversion = _pool(CONVERSION, known)
    if not (awareness and consideration and conversion):
        return b""
    rng = np.random.default_rng(SEED)
    zone = timezone.get_default_timezone()
    year_start = timezone.make_aware(datetime.combine(date(plan.year, 1, 1), time(0)), zone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["journey_id", "timestamp", "channel", "conversion", "conversion_value"])
    lengths = rng.choice(LENGTHS, size=JOURNEYS, p=LENGTH_P)
    # The end of each journey: spread over the year, busier around 618 and Double 11.
    day_weight = np.ones(365)
    day_weight[150:172] *= 2.2  # the run-up to 618
    day_weight[300:315] *= 3.0  # Double 11
    end_days = rng.choice(365, size=JOURNEYS, p=day_weight / day_weight.sum())
    for n in range(JOURNEYS):
        length = int(lengths[n])
        touches: list[str] = []
        for position in range(length):
            last = position == length - 1
            if last and length > 1:
                pool = conversion if rng.random() < 0.8 else consideration
            elif position == 0 and length > 1:
                pool = awareness if rng.random() < 0.85 else consideration
            elif length == 1:
                pool = conversion if rng.random() < 0.55 else awareness
            else:
                pool = consideration if rng.random() < 0.6 else awareness
            touches.append(pool[int(rng.integers(len(pool)))])
        aware = any(t in awareness for t in touches)
        closes = touches[-1] in conversion
        chance = 0.05 + (0.16 if aware else 0.0) + (0.08 if closes else 0.0) + 0.02 * length
        converted = rng.random() < chance
        end = year_start + timedelta(
            days=int(end_days[n]),
            hours=float(rng.uniform(8, 23)),
            minutes=float(rng.uniform(0, 60)),
        )
        gaps: list[float] = (rng.exponential(1.6, size=length - 1) * 86_400).tolist()
        stamps = [end]
        for gap in gaps:
            stamps.append(stamps[-1] - timedelta(seconds=float(gap) + 300))
        stamps.reverse()
        value = round(float(rng.lognormal(np.log(128), 0.35)), 2) if converted else None
        for position, (channel, moment) in enumerate(zip(touches, stamps, strict=True)):
            final = position == length - 1 and converted
            writer.writerow(
                [
                    f"J{plan.year}-{n + 1:06d}",
                    timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M:%S"),
                    channel,
                    1 if final else 0,
                    f"{value:.2f}" if final and value is not None else "",
                ]
            )
    return out.getvalue().encode()
