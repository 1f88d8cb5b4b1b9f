"""Demo data of the approvals area for the Lumi Tea 2027 plan: budget requests in flight
(submitted, approved, rejected with a comment, a draft), two reserve draws (one approved,
one pending) and the review at the end of Q1 proposed from the demo's channel grades.

Runs after the money demo (which sets the budget and its lines) and after the recompute
that stores the grades. Safe to run again: a plan that has requests is left as it is.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from budget import actuals, ledger
from budget import approval_services as services
from budget.models import BudgetRequest, RequestStatus
from channels.models import Channel
from content.models import Campaign
from core.errors import DomainError
from planner.models import Plan

D = Decimal

# (channel, campaign code prefix, quarter, title, cost, users, revenue, assumptions)
REQUESTS = (
    (
        "tmall",
        "618-",
        2,
        "Tmall 618 cold-brew flagship boost",
        D("600000"),
        12000,
        D("2400000"),
        "Super-brand-day slot at CPM 38; 2.1 % CTR and 4.8 % conversion as in the 2026 "
        "618; average order 200 yuan; 60 % of buyers are new to the brand.",
    ),
    (
        "douyin",
        "mid-autumn",
        3,
        "Douyin live-commerce: Mid-Autumn gift boxes",
        D("380000"),
        9500,
        D("1520000"),
        "Eight brand live sessions with two mid-tier hosts; 120 yuan per box; 9,500 "
        "orders at the 2026 rate of 3.1 % of viewers; hosts' fees included.",
    ),
    (
        "weibo",
        "first-flush",
        2,
        "Weibo trending-topic takeover for the spring new-tea launch",
        D("450000"),
        3000,
        D("300000"),
        "One day on the trending list; 60 million impressions; 0.3 % click-through; "
        "sales credited on last click only.",
    ),
    (
        "xiaohongshu",
        "summer-iced",
        3,
        "Xiaohongshu KOC seeding for the summer iced tea",
        D("240000"),
        4000,
        D("900000"),
        "120 KOC notes at 2,000 yuan; one in four saved; store visits from the notes "
        "convert at 3 %.",
    ),
)


def _channel(plan: Plan, code: str) -> Channel | None:
    return Channel.objects.filter(plan=plan, code=code).first()


def _campaign(plan: Plan, prefix: str) -> Campaign | None:
    return Campaign.objects.filter(plan=plan, code__startswith=prefix).order_by("start").first()


def _standalone_budget(plan: Plan, editor: User) -> None:
    """Only when no budget was set (the approvals area loaded without the money demo): the
    2027 total with its 10 % reserve, and lines for the quarters ahead of the graded
    channels the review looks at, planned a quarter above their spend."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        budget = ledger.locked_budget(plan)
        if budget.total > 0:
            return
        ledger.set_total(
            budget, total=D("50000000"), reserve_pct=D("10"), actor=editor, reason="Demo"
        )
        spend = actuals.metric_spend(plan)
        for code in ("tmall", "jd", "xiaohongshu", "weibo"):
            channel = _channel(plan, code)
            if channel is None:
                continue
            for quarter in (2, 3, 4):
                used = sum(
                    (v for (c, _k, q), v in spend.items() if c == channel.pk and q == quarter),
                    D(0),
                )
                planned = (used * D("1.25")).quantize(D("1000"))
                if planned <= 0 or planned > budget.unallocated:
                    continue
                line = ledger.line_for(plan, channel=channel, campaign=None, quarter=quarter)
                ledger.set_planned(budget, line, planned=planned, actor=editor, reason="Demo")


def _approve(req: BudgetRequest, manager: User, comment: str) -> None:
    budget = ledger.budget_of(req.plan)
    short = req.amount > budget.unallocated
    try:
        services.request_approve(
            budget_request=req,
            expected_version=req.version,
            actor=manager,
            comment=comment,
            use_reserve=short,
        )
    except DomainError:  # not enough money in the demo budget: it stays submitted
        return


def load(*, plan: Plan, editor: User, manager: User) -> None:
    if BudgetRequest.objects.filter(plan=plan).exists():
        return
    _standalone_budget(plan, editor)
    made: list[BudgetRequest] = []
    for code, prefix, quarter, title, cost, users, revenue, assumptions in REQUESTS:
        channel = _channel(plan, code)
        if channel is None:
            continue
        made.append(
            services.request_create(
                plan=plan,
                actor=editor,
                submit=code != "xiaohongshu",  # the last one is still a draft
                channel=channel,
                campaign=_campaign(plan, prefix),
                quarter=quarter,
                title=title,
                amount=cost,
                expected_users=users,
                expected_revenue=revenue,
                assumptions=assumptions,
            )
        )
    by_channel = {r.channel.code: r for r in made}
    if "tmall" in by_channel:
        _approve(by_channel["tmall"], manager, "Tmall is graded A and the 618 slot sells out; go.")
    if "weibo" in by_channel:
        req = by_channel["weibo"]
        if req.status == RequestStatus.SUBMITTED:
            services.request_reject(
                budget_request=req,
                expected_version=req.version,
                actor=manager,
                comment=(
                    "Weibo is graded C and its ROI is far below our 10 % floor. Bring a "
                    "cheaper KOC mix with an attributed-revenue estimate."
                ),
            )
    _draws(plan, editor, manager)
    services.review_propose(plan=plan, quarter=1, actor=manager)


def _draws(plan: Plan, editor: User, manager: User) -> None:
    jd, weibo = _channel(plan, "jd"), _channel(plan, "weibo")
    if jd is not None:
        line = ledger.line_for(plan, channel=jd, campaign=None, quarter=4)
        draw = services.draw_request(
            plan=plan,
            actor=editor,
            line=line,
            amount=D("200000"),
            reason="Double 11 pre-sale: JD raised its search-ad floor prices by 18 % this year.",
        )
        services.draw_approve(
            draw=draw,
            expected_version=draw.version,
            actor=manager,
            comment="Approved; JD is graded A.",
        )
    if weibo is not None:
        services.draw_request(
            plan=plan,
            actor=editor,
            line=ledger.line_for(plan, channel=weibo, campaign=None, quarter=3),
            amount=D("150000"),
            reason=(
                "Mid-Autumn gift boxes ship late: explain the delay through KOL posts before "
                "it becomes a PR issue (contingency playbook, step 2)."
            ),
        )
