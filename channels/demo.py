"""The demo plan's channel strategy: a year of quarterly channel plans and a
KOL/KOC roster with cooperation results. Used only by ``manage.py load_demo``."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from channels import services
from channels.models import Channel, ChannelPlan
from kpis.models import Kpi
from planner.models import Plan

D = Decimal
SEASON = (D("0.27"), D("0.21"), D("0.17"), D("0.35"))  # Spring Festival, 618, quiet Q3, Double 11

# channel code → (share of the year's budget, role, audience, formats, KPI codes)
MIX = {
    "douyin": (
        D("0.20"),
        "Reach and live-stream sales",
        "18–30, tier 1–3 cities",
        ["short_video", "live_stream"],
        ["impressions", "orders"],
    ),
    "xiaohongshu": (
        D("0.12"),
        "Seeding and reviews",
        "Women 20–35",
        ["graphic", "short_video"],
        ["visits", "share_of_voice"],
    ),
    "wechat": (
        D("0.06"),
        "Member content and CRM",
        "Existing members",
        ["graphic"],
        ["retention_rate"],
    ),
    "wechat_channels": (
        D("0.05"),
        "Live tastings",
        "Members and their friends",
        ["live_stream"],
        ["orders"],
    ),
    "mini_program": (
        D("0.04"),
        "Own store and membership",
        "Members",
        ["graphic", "live_stream"],
        ["orders", "new_users"],
    ),
    "weibo": (
        D("0.04"),
        "Topics and PR",
        "Fans and media",
        ["graphic", "short_video"],
        ["share_of_voice"],
    ),
    "bilibili": (D("0.03"), "Tea-craft long videos", "Gen Z", ["long_video"], ["share_of_voice"]),
    "sem_baidu": (
        D("0.06"),
        "Capture search demand",
        "Searchers for tea gifts",
        ["search_ad"],
        ["visits"],
    ),
    "tmall": (
        D("0.16"),
        "Flagship sales",
        "Shoppers",
        ["graphic", "live_stream"],
        ["revenue", "orders"],
    ),
    "jd": (D("0.06"), "Gift and office orders", "Office buyers", ["graphic"], ["revenue"]),
    "popup": (
        D("0.05"),
        "Pop-ups in Shanghai and Chengdu",
        "Mall visitors",
        ["offline_event"],
        ["new_users"],
    ),
    "kol_koc": (
        D("0.13"),
        "Creator programme",
        "Followers of tea and lifestyle creators",
        ["short_video", "live_stream", "ugc"],
        ["new_users", "orders"],
    ),
}
REVENUE_SPLIT = {
    "tmall": D("0.34"),
    "douyin": D("0.22"),
    "jd": D("0.12"),
    "mini_program": D("0.10"),
    "xiaohongshu": D("0.08"),
    "wechat_channels": D("0.06"),
    "popup": D("0.04"),
    "kol_koc": D("0.04"),
}

PLATFORMS = ["Douyin", "Xiaohongshu", "Bilibili", "Weibo", "WeChat Channels"]
CATEGORIES = ["Tea", "Food", "Lifestyle", "Office life", "Wellness"]
NAMES = [
    "Tea Master Lin",
    "Aunt Mei Cooks",
    "Xiao Chen Tastes",
    "Office Break Lab",
    "Cha Cha Daily",
    "Green Leaf Diary",
    "Morning Brew Bo",
    "Jasmine Jia",
    "Urban Tea Notes",
    "Leaf & Latte",
    "Hangzhou Wanderer",
    "Wellness Wen",
    "Pu'er Paul",
    "Milk Tea Mia",
    "Tea Time Tao",
    "Oolong Odyssey",
    "Sipping Sun",
    "Daily Dose Du",
    "Brewed by Bei",
    "Cup of Calm",
    "Steep & Sip",
    "Teapot Tian",
    "Matcha Meng",
    "Golden Hour Gu",
    "Leaf Lover Li",
    "Chengdu Chai",
    "Shanghai Sips",
    "Mountain Mist",
    "Little Leaf Lu",
    "Tea Trail Tang",
]


def load(*, plan: Plan, editor: User) -> None:
    """Add the quarterly channel plan and the roster to a draft plan (idempotent)."""
    if ChannelPlan.objects.filter(channel__plan=plan).exists():
        return
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    kpis = {k.code: k for k in Kpi.objects.filter(plan=plan)}
    budget = (kpis["budget"].annual_target if "budget" in kpis else None) or D("80000000")
    for code, (share, role, audience, formats, kpi_codes) in MIX.items():
        for quarter, season in enumerate(SEASON, start=1):
            services.channel_plan_save(
                channel=channels[code],
                quarter=quarter,
                changes={
                    "role": role,
                    "audience": audience,
                    "formats": formats,
                    "budget": round(budget * share * season, 0),
                    "kpis": [kpis[c] for c in kpi_codes if c in kpis],
                    "owner": editor,
                },
                expected_version=None,
                actor=editor,
            )
    if "revenue" in kpis:
        revenue = kpis["revenue"]
        goal = revenue.annual_target or D("300000000")
        revenue.channel_split = {code: str(round(goal * s, 2)) for code, s in REVENUE_SPLIT.items()}
        revenue.save(update_fields=["channel_split"])
    _roster(plan, editor)


def _roster(plan: Plan, editor: User) -> None:
    rng = random.Random(2027)  # noqa: S311 - demo data, not security
    tiers = ["head"] * 5 + ["mid"] * 11 + ["koc"] * 14
    for index, (name, tier) in enumerate(zip(NAMES, tiers, strict=True)):
        followers = {
            "head": rng.randint(3_000_000, 12_000_000),
            "mid": rng.randint(200_000, 1_500_000),
            "koc": rng.randint(3_000, 60_000),
        }[tier]
        fee = {
            "head": D(rng.randint(150, 400) * 1000),
            "mid": D(rng.randint(15, 60) * 1000),
            "koc": D(rng.choice([0, 500, 800, 1200])),
        }[tier]
        creator = services.creator_create(
            plan=plan,
            actor=editor,
            name=name,
            platform=PLATFORMS[index % len(PLATFORMS)],
            tier=tier,
            followers=followers,
            fee=fee,
            category=CATEGORIES[index % len(CATEGORIES)],
            profile_url=f"https://example.com/creators/{index + 1}",
            contact_owner=editor,
        )
        for month, campaign in ((1, "Spring Festival gift boxes"), (5, "618 summer cold brew")):
            if tier == "koc" and rng.random() < 0.3:
                continue
            views = int(followers * rng.uniform(0.15, 0.6))
            engagements = int(views * rng.uniform(0.02, 0.08))
            conversions = int(engagements * rng.uniform(0.02, 0.12) * (0.6 if month == 5 else 1))
            services.cooperation_create(
                actor=editor,
                creator=creator,
                campaign=campaign,
                date=date(plan.year, month, rng.randint(3, 25)),
                deliverables={
                    "head": "1 live stream + 2 videos",
                    "mid": "2 short videos",
                    "koc": "1 review note",
                }[tier],
                fee=fee,
                views=views,
                engagements=engagements,
                clicks=int(engagements * 0.4),
                conversions=conversions,
                gmv=D(conversions) * D(rng.randint(110, 160)),
            )
