"""The demo plan's execution section: quarterly milestones for 2027 linked to the demo
KPIs (the weak 618 leaves the Q2 conversion milestone at risk, the rest of Q2 on track),
a risk register of twelve risks across the heat map, and three crisis playbooks with
drills, one of them triggered by a demo alert rule (CTR out of its usual range). Used
only by ``manage.py load_demo``; safe to run twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from kpis.models import Kpi
from monitoring.models import AlertRule
from planner.execution import services
from planner.execution.models import Drill, Milestone, Playbook, Risk
from planner.models import Plan

# quarter, title, description, KPI codes, start, due, entered progress
MILESTONES: list[tuple[int, str, str, tuple[str, ...], date, date, Decimal | None]] = [
    (
        1,
        "Spring Festival: new members on plan",
        "Gift boxes, red-envelope livestreams and the CNY short-video series bring in "
        "the quarter's new members.",
        ("new_users", "revenue"),
        date(2027, 1, 4),
        date(2027, 3, 31),
        None,
    ),
    (
        1,
        "Share of voice 18 % over the holiday",
        "Douyin and Xiaohongshu seeding around the Spring Festival launch.",
        ("share_of_voice",),
        date(2027, 1, 10),
        date(2027, 3, 15),
        None,
    ),
    (
        1,
        "Brand visual refresh signed off",
        "New VI applied to packaging, stores and every channel template.",
        (),
        date(2027, 1, 4),
        date(2027, 2, 28),
        Decimal("1"),
    ),
    (
        2,
        "618: conversion back to 4.5 %",
        "Faster live-stream checkout and new landing pages for the 618 pre-sale.",
        ("cvr", "orders"),
        date(2027, 4, 1),
        date(2027, 6, 30),
        None,
    ),
    (
        2,
        "Office bundles keep the average order at ¥128",
        "Corporate subscriptions and office-tower pop-ups in Shanghai and Shenzhen.",
        ("aov",),
        date(2027, 4, 1),
        date(2027, 6, 30),
        None,
    ),
    (
        2,
        "Q2 spend within budget",
        "Shift budget from C-grade channels to private-domain WeChat.",
        ("budget",),
        date(2027, 4, 1),
        date(2027, 6, 30),
        None,
    ),
    (
        3,
        "Summer cold-brew launch",
        "Product launch with two head KOLs and a campus tour.",
        ("new_users",),
        date(2027, 7, 1),
        date(2027, 8, 31),
        None,
    ),
    (
        3,
        "Mid-Autumn co-branded gift box in stores",
        "IP co-branding with a museum; pre-orders open in August.",
        ("revenue",),
        date(2027, 7, 15),
        date(2027, 9, 20),
        Decimal("0.15"),
    ),
    (
        4,
        "Double 11: 600,000 new members",
        "The biggest campaign of the year on Tmall, JD and Douyin.",
        ("new_users", "revenue", "roi"),
        date(2027, 10, 1),
        date(2027, 11, 30),
        None,
    ),
    (
        4,
        "Net promoter score 45 by year end",
        "Service recovery programme and the member-tier refresh.",
        ("nps",),
        date(2027, 10, 1),
        date(2027, 12, 31),
        None,
    ),
]

# A status set by hand: what the KPIs cannot know yet.
OVERRIDES = {
    "Mid-Autumn co-branded gift box in stores": "The co-packer warned of a two-week delay "
    "on the gift boxes (see the supplier risk); pre-orders may open late.",
}

PLAYBOOKS: list[dict[str, Any]] = [
    {
        "title": "PR crisis: product-quality complaint goes viral",
        "scenario": "A post about a foreign object in a drink trends on Weibo or Douyin; "
        "negative mentions triple within hours.",
        "statement_zh": "我们已关注到网友反馈的问题，第一时间成立专项小组进行核查，"
        "涉事门店已暂停营业。核查结果将在24小时内公布，感谢大家的监督。",
        "statement_en": "We have seen the reports and set up a team to investigate at once; "
        "the store concerned is closed while we check. We will publish the findings within "
        "24 hours. Thank you for holding us to account.",
        "legal_contact": "Zhou Min, legal counsel — 138 0000 1001",
        "pr_contact": "Chen Jing, PR director — 138 0000 1002",
        "steps": [
            {"role": "Social media on duty", "person": "Li Na", "response_minutes": 15},
            {"role": "PR director", "person": "Chen Jing", "response_minutes": 30},
            {"role": "Legal counsel", "person": "Zhou Min", "response_minutes": 60},
            {"role": "General manager", "person": "Wang Manager", "response_minutes": 120},
        ],
        "drills": [
            (
                date(2026, 9, 18),
                "PR, legal, customer care, store operations",
                "Statement approved in 52 minutes; legal review was the bottleneck.",
            ),
            (
                date(2026, 11, 6),
                "PR, legal, social media",
                "Pre-approved templates cut approval to 25 minutes.",
            ),
        ],
        "rule": None,
    },
    {
        "title": "Platform policy change",
        "scenario": "A platform changes its livestream, coupon or advertising rules at short "
        "notice (e.g. Douyin limits coupon stacking before 618).",
        "statement_zh": "因平台规则调整，部分优惠方式有所变化，您的权益不受影响，"
        "详情请咨询在线客服。",
        "statement_en": "Because of a platform rule change some offers work differently; "
        "your benefits are unchanged. Ask our online service for details.",
        "legal_contact": "Zhou Min, legal counsel — 138 0000 1001",
        "pr_contact": "Channel operations desk — 400 800 1234",
        "steps": [
            {"role": "Channel lead", "person": "Zhao Lei", "response_minutes": 60},
            {"role": "E-commerce director", "person": "", "response_minutes": 240},
            {"role": "Marketing director", "person": "Wang Manager", "response_minutes": 480},
        ],
        "drills": [
            (
                date(2026, 10, 20),
                "Channel team, e-commerce, finance",
                "Budget shift to WeChat mini-program rehearsed; needs a pre-approved reserve.",
            ),
        ],
        "rule": "CTR out of its usual range",  # a platform rule change shows as a CTR anomaly
    },
    {
        "title": "Supply failure and stock-out",
        "scenario": "A best-seller or gift box sells out, or a key supplier misses a "
        "delivery during a campaign peak.",
        "statement_zh": "非常抱歉，该商品暂时售罄，我们正在加紧补货，预计3天内恢复供应。",
        "statement_en": "We are sorry: this item is sold out for now. We are restocking and "
        "expect it back within three days.",
        "legal_contact": "Zhou Min, legal counsel — 138 0000 1001",
        "pr_contact": "Customer care lead — 400 800 1234",
        "steps": [
            {"role": "Supply chain lead", "person": "Liu Yang", "response_minutes": 30},
            {"role": "Customer care lead", "person": "", "response_minutes": 60},
            {"role": "Operations director", "person": "", "response_minutes": 240},
        ],
        "drills": [
            (
                date(2026, 8, 28),
                "Supply chain, customer care, Tmall store",
                "Switch to the back-up co-packer took two days; contract terms to renegotiate.",
            ),
        ],
        "rule": None,
    },
]

# title, category, impact, likelihood, status, playbook index, triggers, indicator names
RISKS: list[tuple[str, str, int, int, str, int | None, str, list[str]]] = [
    (
        "Viral product-quality complaint",
        "pr_crisis",
        5,
        3,
        "open",
        0,
        "Negative mentions triple in a day; a post about us trends on Weibo.",
        ["share_of_voice"],
    ),
    (
        "KOL scandal hits a partner creator",
        "pr_crisis",
        4,
        2,
        "open",
        0,
        "A creator we sponsor is in the news for the wrong reasons.",
        [],
    ),
    (
        "Douyin limits coupon stacking before 618",
        "market_policy",
        4,
        4,
        "open",
        1,
        "Platform notice; CVR on Douyin below 3 % for a week.",
        ["cvr"],
    ),
    (
        "New advertising law on health claims",
        "market_policy",
        3,
        2,
        "mitigated",
        1,
        "Regulator consultation published.",
        [],
    ),
    (
        "Category leader cuts prices by 20 %",
        "competitor",
        4,
        3,
        "open",
        None,
        "Competitor promotion logged; our traffic share falls two weeks running.",
        ["market_share"],
    ),
    (
        "Rival copies the gift-box design",
        "competitor",
        2,
        3,
        "open",
        None,
        "Product update observed in competitor tracking.",
        [],
    ),
    (
        "Mini-program checkout outage during a peak",
        "technical",
        5,
        2,
        "mitigated",
        None,
        "Checkout error rate above 2 %; orders per minute drop by half.",
        ["orders"],
    ),
    (
        "Attribution data feed breaks",
        "technical",
        2,
        3,
        "open",
        None,
        "No journey import for three days.",
        [],
    ),
    (
        "Gift-box co-packer misses Mid-Autumn delivery",
        "supplier",
        4,
        3,
        "open",
        2,
        "Delivery slips a week; stock cover under five days.",
        [],
    ),
    (
        "Agency team turnover before Double 11",
        "supplier",
        3,
        2,
        "open",
        None,
        "Account lead leaves; deliverables late twice.",
        [],
    ),
    (
        "Tea-leaf prices rise after a poor harvest",
        "other",
        3,
        4,
        "open",
        None,
        "Supplier price notice; gross margin below plan.",
        ["roi"],
    ),
    (
        "Typhoon closes southern stores for a week",
        "other",
        2,
        1,
        "closed",
        None,
        "Weather warning level orange or above.",
        [],
    ),
]


def load(*, plan: Plan, editor: User, manager: User) -> None:
    """Add the execution demo to a draft plan that has none yet (idempotent)."""
    if Milestone.objects.filter(plan=plan).exists():
        return
    kpis = {k.code: k for k in Kpi.objects.filter(plan=plan)}
    for order, (quarter, title, text, codes, start, due, progress) in enumerate(MILESTONES):
        milestone = services.milestone_create(
            plan=plan,
            actor=editor,
            quarter=quarter,
            title=title,
            description=text,
            kpis=[kpis[c] for c in codes if c in kpis],
            owner=manager if quarter % 2 else editor,
            start=start,
            due=due,
            sort_order=order,
        )
        if progress is not None:
            milestone = services.milestone_set_progress(
                milestone=milestone,
                expected_version=milestone.version,
                entered_progress=progress,
                actor=editor,
            )
        if title in OVERRIDES:
            services.milestone_override(
                milestone=milestone,
                expected_version=milestone.version,
                status="at_risk",
                reason=OVERRIDES[title],
                actor=manager,
            )
    rules = {r.name: r for r in AlertRule.objects.filter(plan=plan)}
    playbooks: list[Playbook] = []
    for spec in PLAYBOOKS:
        rule = rules.get(spec["rule"]) if spec["rule"] else None
        playbook = services.playbook_create(
            plan=plan,
            actor=editor,
            title=spec["title"],
            scenario=spec["scenario"],
            statement_zh=spec["statement_zh"],
            statement_en=spec["statement_en"],
            legal_contact=spec["legal_contact"],
            pr_contact=spec["pr_contact"],
            steps=spec["steps"],
            alert_rules=[rule] if rule else [],
        )
        for held_on, participants, findings in spec["drills"]:
            Drill.objects.create(
                playbook=playbook,
                held_on=held_on,
                participants=participants,
                findings=findings,
                recorded_by=editor,
            )
        playbooks.append(playbook)
    for title, category, impact, likelihood, status, pb, triggers, names in RISKS:
        if Risk.objects.filter(plan=plan, title=title).exists():
            continue
        services.risk_create(
            plan=plan,
            actor=editor,
            title=title,
            category=category,
            impact=impact,
            likelihood=likelihood,
            status=status,
            owner=manager if impact >= 4 else editor,
            response="1. Confirm the facts. 2. Follow the linked playbook or the owner's plan. "
            "3. Report to the weekly review.",
            triggers=triggers,
            trigger_metrics=names,
            playbook=playbooks[pb] if pb is not None else None,
        )
