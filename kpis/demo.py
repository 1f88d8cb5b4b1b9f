"""The demo plan's annual goals: a driver tree from budget to revenue and new users,
seasonal breakdowns, half a year of actuals (a strong Spring Festival, a weak 618),
and market-share and brand-voice goals. Used only by ``manage.py load_demo``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from kpis import services
from kpis.models import Kpi, StrategicGoal
from planner.models import Plan

D = Decimal

OBJECTIVES = [
    (
        "growth",
        "Grow the member base to two million new users",
        "Member growth across Tmall, JD and the mini-program.",
    ),
    (
        "conversion",
        "Turn social reach into orders",
        "Better landing pages and live-stream checkout lift CVR.",
    ),
    ("cost", "Keep growth efficient", "CAC under ¥70 and ROI above 3 for the year."),
    (
        "market",
        "Take share from the category leaders",
        "Benchmarks against HeyTea and Nayuki; win the office segment.",
    ),
    (
        "brand",
        "Become the most talked-about new-style tea brand",
        "Share of voice, sentiment and NPS.",
    ),
]

# code, name, objective index, kind, source, unit, target or formula, profile, aggregation
INPUTS = [
    ("budget", "Marketing budget", 2, "budget", D("80000000"), "china_retail", "sum"),
    ("cpm", "Average CPM", 2, "cpm", D("25"), "even", "weighted"),
    ("ctr", "Click-through rate", 1, "ctr", D("0.015"), "even", "weighted"),
    ("cvr", "Conversion rate", 1, "cvr", D("0.045"), "even", "weighted"),
    ("aov", "Average order value", 1, "aov", D("128"), "even", "weighted"),
    ("new_user_share", "Share of orders from new users", 0, "custom", D("0.6"), "even", "weighted"),
    ("retention_rate", "90-day retention", 0, "retention_rate", D("0.32"), "even", "weighted"),
    (
        "market_share",
        "Market share (new-style tea)",
        3,
        "market_share",
        D("0.085"),
        "even",
        "weighted",
    ),
    ("share_of_voice", "Share of voice", 4, "share_of_voice", D("0.18"), "even", "weighted"),
    ("nps", "Net promoter score", 4, "nps", D("45"), "even", "weighted"),
]
# The goals the team committed to; the tree shows how far the assumptions get.
FORMULA_GOALS = {
    "new_users": D("2000000"),
    "revenue": D("300000000"),
    "cac": D("60"),
    "roi": D("3.5"),
}
FORMULAS = [
    ("impressions", "Impressions", 1, "impressions", "count", "budget / cpm * 1000"),
    ("visits", "Visits", 1, "visits", "count", "impressions * ctr"),
    ("orders", "Orders", 1, "orders", "count", "visits * cvr"),
    ("revenue", "Revenue", 1, "revenue", "money", "orders * aov"),
    ("new_users", "New users", 0, "new_users", "count", "orders * new_user_share"),
    ("cac", "Customer acquisition cost", 2, "cac", "money", "budget / new_users"),
    ("roi", "Return on marketing investment", 2, "roi", "ratio", "revenue / budget"),
]
UNITS = {"budget": "money", "cpm": "money", "aov": "money", "nps": "count"}

# January–June: Spring Festival beats plan, 618 (June) falls short on CVR.
ACTUALS = {
    "budget": [D("8600000"), D("9400000"), D("4100000"), D("4600000"), D("5200000"), D("9900000")],
    "cpm": [D("24.1"), D("26.5"), D("23.8"), D("24.4"), D("25.9"), D("29.8")],
    "ctr": [D("0.0162"), D("0.0158"), D("0.0149"), D("0.0151"), D("0.0146"), D("0.0139")],
    "cvr": [D("0.0471"), D("0.0492"), D("0.0448"), D("0.0431"), D("0.0402"), D("0.0365")],
    "aov": [D("136"), D("141"), D("124"), D("126"), D("125"), D("118")],
    "new_user_share": [D("0.63"), D("0.61"), D("0.58"), D("0.59"), D("0.57"), D("0.55")],
    "retention_rate": [D("0.34"), D("0.33"), D("0.33"), D("0.31"), D("0.30"), D("0.29")],
    "market_share": [D("0.079"), D("0.082"), D("0.08"), D("0.081"), D("0.08"), D("0.077")],
    "share_of_voice": [D("0.2"), D("0.21"), D("0.17"), D("0.16"), D("0.16"), D("0.15")],
    "nps": [D("47"), D("48"), D("44"), D("43"), D("41"), D("38")],
}

GOALS = [
    (
        "market",
        "competitor",
        "HeyTea",
        "Our share vs HeyTea's in tier-1 cities",
        "percent",
        D("0.062"),
        D("0.085"),
        D("0.21"),
    ),
    (
        "market",
        "competitor",
        "Nayuki",
        "Our share vs Nayuki's in tier-1 cities",
        "percent",
        D("0.062"),
        D("0.085"),
        D("0.12"),
    ),
    (
        "market",
        "segment",
        "Office workers, 25–35",
        "Share of office-delivery orders",
        "percent",
        D("0.09"),
        D("0.15"),
        None,
    ),
    (
        "market",
        "region",
        "Chengdu and Chongqing",
        "Store and delivery coverage of districts",
        "percent",
        D("0.35"),
        D("0.6"),
        None,
    ),
    (
        "market",
        "channel_mix",
        "Offline and cross-border channels",
        "Share of revenue outside Tmall",
        "percent",
        D("0.22"),
        D("0.35"),
        None,
    ),
    (
        "brand",
        "content",
        "Tea craft white paper and user stories",
        "Organic reads of long-form content",
        "count",
        D("800000"),
        D("2500000"),
        None,
    ),
    (
        "brand",
        "social",
        "#MyTeaBreak UGC challenge",
        "Engagement rate on Douyin and Xiaohongshu",
        "percent",
        D("0.031"),
        D("0.045"),
        None,
    ),
    (
        "brand",
        "pr",
        "Industry media and the Shanghai tea summit",
        "Authoritative reports published",
        "count",
        D("12"),
        D("30"),
        None,
    ),
    (
        "brand",
        "reputation",
        "Review and complaint handling",
        "Negative reviews answered within 2 hours",
        "percent",
        D("0.71"),
        D("0.95"),
        None,
    ),
]


def load(*, plan: Plan, editor: User, manager: User) -> None:
    """Add the demo goals to a draft plan that has none yet (idempotent)."""
    if Kpi.objects.filter(plan=plan).exists():
        return
    objectives = [
        services.objective_create(
            plan=plan,
            actor=editor,
            area=area,
            title=title,
            description=text,
            owner=manager,
            sort_order=i,
        )
        for i, (area, title, text) in enumerate(OBJECTIVES)
    ]
    kpis: dict[str, Kpi] = {}
    for order, (code, name, obj, kind, target, profile, aggregation) in enumerate(INPUTS):
        kpis[code] = services.kpi_create(
            plan=plan,
            actor=editor,
            code=code,
            name=name,
            kind=kind,
            unit=UNITS.get(code, "percent"),
            objective=objectives[obj],
            annual_target=target,
            profile=profile,
            aggregation=aggregation,
            owner=editor,
            sort_order=order,
        )
    for order, (code, name, obj, kind, unit, formula) in enumerate(FORMULAS, start=len(INPUTS)):
        kpis[code] = services.kpi_create(
            plan=plan,
            actor=editor,
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            source="formula",
            formula=formula,
            annual_target=FORMULA_GOALS.get(code),
            objective=objectives[obj],
            aggregation="weighted" if unit in ("ratio", "percent") or code == "cac" else "sum",
            sort_order=order,
        )
    for code, months in ACTUALS.items():
        services.actuals_set(kpi=kpis[code], values=dict(enumerate(months, start=1)), actor=editor)
    for family, kind, subject, indicator, unit, baseline, target, reference in GOALS:
        StrategicGoal.objects.get_or_create(
            plan=plan,
            family=family,
            kind=kind,
            subject=subject,
            defaults={
                "indicator": indicator,
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "reference": reference,
                "kpi": kpis["market_share"] if kind == "competitor" else None,
            },
        )
