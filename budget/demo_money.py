"""The demo plan's money: the 2027 budget, its allocation rules and accepted allocation,
campaign lines, and a few purchase orders and invoices. Used only by ``manage.py load_demo``.

The budget is CNY 100 M: the CNY 80 M of media the monitoring demo spends (the
"Marketing budget" KPI, split by the channel mix of ``channels/demo.py``), about
CNY 10 M for production and agencies, and a 10 % reserve fund. The channel priorities
follow that mix and the quarter split its seasons, so most lines are on track with
room for production orders; the Double 11 line on Tmall is deliberately planned below
what the campaign spends (its ad spend and a studio invoice overrun it).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth.models import User
from django.db.models import Sum
from django.db.models.functions import ExtractQuarter

from budget import ledger
from budget import money_services as services
from budget.models import Budget, BudgetLine
from channels.models import Channel
from content.models import Campaign
from kpis.models import Objective
from monitoring.models import DailyMetric
from planner.models import Plan

D = Decimal
TOTAL = D("100000000")
QUARTER_SPLIT = (D("27"), D("21"), D("17"), D("35"))  # Spring Festival, 618, quiet Q3, Double 11

# channel code → (strategic priority, objective area it serves)
PRIORITIES = {
    "douyin": (D(20), "conversion"),
    "tmall": (D(16), "growth"),
    "kol_koc": (D(13), "conversion"),
    "xiaohongshu": (D(12), "brand"),
    "wechat": (D(6), "growth"),
    "sem_baidu": (D(6), "conversion"),
    "jd": (D(6), "growth"),
    "wechat_channels": (D(5), "conversion"),
    "popup": (D(6), "brand"),  # the media mix's 5, plus the pop-ups' build-out
    "mini_program": (D(4), "growth"),
    "weibo": (D(4), "brand"),
    "bilibili": (D(3), "brand"),
}

# (channel, campaign, quarter) → planned as a multiple of the campaign's ad spend there,
# plus production money the orders below use.
CAMPAIGN_LINES = [
    ("tmall", "spring-festival-2027", 1, D("1.12"), D(0)),
    ("xiaohongshu", "spring-festival-2027", 1, D("1.10"), D(0)),
    ("tmall", "618-2027", 2, D("1.12"), D(0)),
    ("popup", "summer-iced-2027", 2, D("1.10"), D(200000)),
    ("popup", "summer-iced-2027", 3, D("1.10"), D(180000)),
    ("xiaohongshu", "double-11-2027", 4, D("1.10"), D(0)),
    ("tmall", "double-11-2027", 4, D("0.94"), D(0)),  # overspent
]


def _spend(plan: Plan) -> dict[tuple[int, int | None, int], Decimal]:
    rows = (
        DailyMetric.objects.filter(plan=plan, date__year=plan.year)
        .annotate(quarter=ExtractQuarter("date"))
        .values("channel_id", "campaign_id", "quarter")
        .annotate(s=Sum("spend"))
        .order_by()
    )
    return {(r["channel_id"], r["campaign_id"], r["quarter"]): D(r["s"] or 0) for r in rows}


STEP = D(10000)


def _round_up(amount: Decimal, step: Decimal = STEP) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


def load(*, plan: Plan, editor: User, manager: User) -> None:
    """Add the budget to a draft demo plan (idempotent: nothing happens once it has a total)."""
    if Budget.objects.filter(plan=plan, total__gt=0).exists():
        return
    budget = ledger.budget_of(plan)
    services.settings_update(
        plan=plan,
        expected_version=budget.version,
        changes={
            "total": TOTAL,
            "reserve_pct": D(10),
            "max_move_pct": D(20),
            "max_review_pct": D(10),
            **{f"q{q}_share": QUARTER_SPLIT[q - 1] for q in range(1, 5)},
        },
        actor=editor,
    )
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    objectives = {o.area: o for o in Objective.objects.filter(plan=plan).order_by("-sort_order")}
    services.rules_save(
        plan=plan,
        actor=editor,
        rules=[
            services.RuleInput(
                channel=channel,
                priority=PRIORITIES[code][0] if code in PRIORITIES else D(0),
                objective=objectives.get(PRIORITIES[code][1]) if code in PRIORITIES else None,
            )
            for code, channel in channels.items()
            if channel.is_active
        ],
        weights=[services.WeightInput(objective=o, weight=D(1)) for o in objectives.values()],
    )
    campaigns = {c.code: c for c in Campaign.objects.filter(plan=plan)}
    spend = _spend(plan)
    for code, campaign_code, quarter, factor, production in CAMPAIGN_LINES:
        channel, campaign = channels.get(code), campaigns.get(campaign_code)
        if channel is None or campaign is None:
            continue
        ads = spend.get((channel.pk, campaign.pk, quarter), D(0))
        services.line_create(
            plan=plan,
            actor=editor,
            channel=channel,
            campaign=campaign,
            quarter=quarter,
            planned=_round_up(ads * factor) + production,
            note=campaign.name[:200],
        )
    services.accept_allocation(plan=plan, actor=editor)
    _orders(plan, editor, channels, campaigns)


def _line(
    plan: Plan, channel: Channel | None, campaign: Campaign | None, quarter: int
) -> BudgetLine | None:
    if channel is None:
        return None
    return BudgetLine.objects.filter(
        plan=plan, channel=channel, campaign=campaign, quarter=quarter
    ).first()


def _orders(
    plan: Plan, editor: User, channels: dict[str, Channel], campaigns: dict[str, Campaign]
) -> None:
    y = plan.year
    summer = campaigns.get("summer-iced-2027")
    double11 = campaigns.get("double-11-2027")
    # (PO number, supplier, description, line, amount, issued, invoices [(number, amount, date)])
    orders = [
        (
            f"PO-{y}-0031",
            "Shenzhen Dianshi Interactive",
            "Spring Festival H5 mini-game",
            _line(plan, channels.get("wechat"), None, 1),
            D(120000),
            date(y, 1, 8),
            [(f"SZ{y}0211", D(60000), date(y, 2, 11)), (f"SZ{y}0316", D(60000), date(y, 3, 16))],
        ),
        (
            f"PO-{y}-0412",
            "Shanghai Yiran Exhibition Co.",
            "Summer pop-up build-out, Shanghai Jing'an",
            _line(plan, channels.get("popup"), summer, 2),
            D(180000),
            date(y, 4, 12),
            [(f"YR{y}0630", D(180000), date(y, 6, 30))],
        ),
        (
            f"PO-{y}-0705",
            "Chengdu Muyu Display",
            "Pop-up furniture and signage, Chengdu Taikoo Li",
            _line(plan, channels.get("popup"), summer, 3),
            D(150000),
            date(y, 7, 5),
            [(f"MY{y}0818", D(90000), date(y, 8, 18))],
        ),
        (
            f"PO-{y}-1002",
            "Hangzhou Qianxing MCN",
            "Double 11 creator bundle: agency fee",
            _line(plan, channels.get("kol_koc"), None, 4),
            D(300000),
            date(y, 10, 2),
            [],
        ),
        (
            f"PO-{y}-0220",
            "Beijing Huaxia Print",
            "Tasting-box sleeves (cancelled: design changed)",
            _line(plan, channels.get("mini_program"), None, 1),
            D(45000),
            date(y, 2, 20),
            [],
        ),
    ]
    for number, supplier, description, line, amount, issued, invoices in orders:
        if line is None:
            continue
        order = services.po_create(
            plan=plan,
            actor=editor,
            line=line,
            number=number,
            supplier_name=supplier,
            description=description,
            amount=amount,
            issued_on=issued,
        )
        for inv_number, inv_amount, inv_date in invoices:
            services.invoice_create(
                plan=plan,
                actor=editor,
                purchase_order=order,
                number=inv_number,
                amount=inv_amount,
                invoiced_on=inv_date,
            )
        if number.endswith("0220"):
            services.po_cancel(purchase_order=order, expected_version=order.version, actor=editor)
    studio = _line(plan, channels.get("tmall"), double11, 4)
    if studio is not None:
        services.invoice_create(
            plan=plan,
            actor=editor,
            line=studio,
            number=f"HZ{y}1112",
            supplier_name="Hangzhou Xiyue Live Studio",
            amount=D(60000),
            invoiced_on=date(y, 11, 12),
        )
