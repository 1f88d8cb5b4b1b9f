"""The demo plan's key activities for 2027 (with their departments, suppliers and
finish-to-start dependencies, and one deliberate double booking: Content studio is needed
by the 520 shoot and the 618 livestream kits at once) and the rapid-response pools of
each risk level, one of them activated for a supplier risk with a draw on the reserve
fund. Used only by ``manage.py load_demo``; safe to run twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from budget.models import BudgetLine, Department, Supplier
from content.models import Campaign
from planner.execution import activity_services as services
from planner.execution.activity_models import Activity, PoolActivation, ResponsePool
from planner.execution.models import Risk
from planner.models import Plan

D = Decimal

# key, title, kind, start, end, campaign code, department codes, supplier names, after (keys)
ACTIVITIES: tuple[
    tuple[str, str, str, date, date, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...
] = (
    (
        "kol-brief",
        "KOL briefing for the Spring Festival",
        "production",
        date(2026, 11, 30),
        date(2027, 1, 8),
        "spring-festival-2027",
        ("BRAND", "GROWTH"),
        ("Tea Talk KOL Agency",),
        (),
    ),
    (
        "cny-creative",
        "Spring Festival creative production",
        "production",
        date(2027, 1, 8),
        date(2027, 1, 20),
        "spring-festival-2027",
        ("CONTENT",),
        ("Jade Lantern Creative", "Ripple Motion Films"),
        ("kol-brief",),
    ),
    (
        "cny-campaign",
        "Spring Festival gift-box campaign",
        "festival",
        date(2027, 1, 21),
        date(2027, 2, 15),
        "spring-festival-2027",
        ("BRAND", "ECOM", "GROWTH"),
        ("Blue Harbour Media", "Tea Talk KOL Agency"),
        ("cny-creative",),
    ),
    (
        "first-flush",
        "First-flush tea launch",
        "launch",
        date(2027, 3, 20),
        date(2027, 4, 10),
        "first-flush-2027",
        ("BRAND", "RETAIL"),
        ("Lantern Events",),
        (),
    ),
    (
        "520-shoot",
        "520 couples' short-video shoot",
        "production",
        date(2027, 4, 20),
        date(2027, 5, 12),
        "520-2027",
        ("CONTENT",),
        ("Ripple Motion Films",),
        (),
    ),
    (
        "618-kits",
        "618 livestream kits and scripts",
        "production",
        date(2027, 5, 6),
        date(2027, 5, 25),
        "618-2027",
        ("CONTENT", "ECOM"),
        ("Bright Feed MCN",),
        (),
    ),
    (
        "618",
        "618 pre-sale and livestream marathon",
        "festival",
        date(2027, 5, 26),
        date(2027, 6, 20),
        "618-2027",
        ("ECOM", "GROWTH", "CRM"),
        ("Bright Feed MCN", "Rapid Parcel Network"),
        ("618-kits",),
    ),
    (
        "co-packer",
        "Mid-Autumn gift box: co-packer run",
        "production",
        date(2027, 7, 1),
        date(2027, 8, 20),
        "mid-autumn-2027",
        ("FIN", "LEGAL"),
        ("Green Leaf Packaging",),
        (),
    ),
    (
        "mid-autumn",
        "Mid-Autumn gift box campaign",
        "festival",
        date(2027, 8, 25),
        date(2027, 9, 21),
        "mid-autumn-2027",
        ("BRAND", "ECOM", "RETAIL"),
        ("Blue Harbour Media", "Cold Chain Express"),
        ("co-packer",),
    ),
    (
        "museum-popup",
        "Museum IP pop-up tea house (online-offline)",
        "event",
        date(2027, 9, 25),
        date(2027, 10, 15),
        "museum-ip-2027",
        ("RETAIL", "PR"),
        ("Moonbay Exhibitions",),
        (),
    ),
    (
        "double-11",
        "Double 11 members' pre-sale",
        "festival",
        date(2027, 10, 20),
        date(2027, 11, 11),
        "double-11-2027",
        ("ECOM", "CRM", "GROWTH"),
        ("Blue Harbour Media",),
        (),
    ),
)

# level, amount, headcount, people
POOLS = (
    (
        5,
        D("1500000"),
        8,
        "\n".join(
            (
                "PR director",
                "General manager",
                "Legal counsel",
                "Social media lead ×2",
                "Supply lead",
                "Customer-service leads ×2",
            )
        ),
    ),
    (
        4,
        D("800000"),
        5,
        "PR lead\nE-commerce duty manager\nContent studio on call ×2\nSupply planner",
    ),
    (3, D("300000"), 3, "Brand manager on call\nGrowth analyst\nCommunity manager"),
    (2, D("100000"), 2, "Channel owner\nDesigner on call"),
)


def load(*, plan: Plan, editor: User, manager: User) -> None:
    if not Activity.objects.filter(plan=plan).exists():
        _activities(plan, editor)
    if not ResponsePool.objects.filter(plan=plan).exists():
        _pools(plan, editor, manager)


def _activities(plan: Plan, editor: User) -> None:
    departments = {d.code: d for d in Department.objects.filter(workspace=plan.workspace)}
    suppliers = {s.name: s for s in Supplier.objects.filter(workspace=plan.workspace)}
    campaigns = {c.code: c for c in Campaign.objects.filter(plan=plan)}
    made: dict[str, Activity] = {}
    for key, title, kind, start, end, campaign, depts, sups, after in ACTIVITIES:
        made[key] = services.activity_create(
            plan=plan,
            actor=editor,
            title=title,
            kind=kind,
            start=start,
            end=end,
            campaign=campaigns.get(campaign),
            departments=[departments[c] for c in depts if c in departments],
            suppliers=[suppliers[n] for n in sups if n in suppliers],
            depends_on=[made[k] for k in after],
            owner=editor,
            status="done" if end < date(2027, 1, 1) else "planned",
        )


def _pools(plan: Plan, editor: User, manager: User) -> None:
    made = {
        level: services.pool_create(
            plan=plan,
            actor=editor,
            level=level,
            amount=amount,
            headcount=headcount,
            people=people,
            authorise_role="manager",
            authorisers=[manager] if level == 5 else [],
        )
        for level, amount, headcount, people in POOLS
    }
    risk = (
        Risk.objects.filter(plan=plan, impact=4)
        .order_by("-category", "-likelihood", "id")  # the supplier risk when there is one
        .filter(category="supplier")
        .first()
        or Risk.objects.filter(plan=plan, impact=4).first()
    )
    line = BudgetLine.objects.filter(plan=plan, quarter=3).order_by("id").first()
    if risk is None or line is None or PoolActivation.objects.filter(pool__plan=plan).exists():
        return
    services.activate(
        pool=made[4],
        risk=risk,
        line=line,
        amount=D("120000"),
        people_used=2,
        reason="Back-up co-packer booked and two content-studio people moved to the "
        "Mid-Autumn gift box while the main packaging supplier recovers.",
        actor=manager,
    )
