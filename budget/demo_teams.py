"""Demo data of cross-department collaboration for Lumi Tea's 2027 plan: nine departments,
the RACI of the demo campaigns, channels and four milestone streams, the communication
rules, the conflict path with one overdue and one resolved conflict, and the Q1–Q2
collaboration scores. Everything goes through budget/team_services.py; safe to run twice.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from budget import team_services as services
from budget.models.teams import Department, Workstream, WorkstreamKind
from channels.models import Channel
from content.models import Campaign
from planner.models import Plan

# code, name, lead (username or ""), description
DEPARTMENTS = (
    ("BRAND", "Brand marketing", "demo-manager", "Brand platform, campaigns and the annual theme."),
    ("GROWTH", "Performance and growth", "demo-editor", "Paid media, bidding and new-user growth."),
    ("CONTENT", "Content studio", "", "Short video, live-stream scripts, KV and copy."),
    ("ECOM", "E-commerce operations", "demo-admin", "Tmall, JD and Douyin flagship stores."),
    ("RETAIL", "Retail and offline stores", "", "Tea houses, pop-ups and in-store events."),
    ("CRM", "CRM and membership", "", "Members' tea club, WeCom and the mini program."),
    ("PR", "Public relations", "", "Media relations, reputation and crisis response."),
    ("FIN", "Finance", "", "Budget control, purchase orders and ROI sign-off."),
    ("LEGAL", "Legal", "", "Advertising law, licences and supplier contracts."),
)

# campaign code → RACI letters by department code, spend limit, what needs escalation
CAMPAIGN_RACI = {
    "spring-festival-2027": (
        {
            "BRAND": "A",
            "CONTENT": "R",
            "GROWTH": "R",
            "ECOM": "R",
            "RETAIL": "C",
            "FIN": "C",
            "LEGAL": "C",
            "PR": "I",
            "CRM": "I",
        },
        Decimal("300000"),
    ),
    "always-on-members": (
        {"CRM": "A", "CONTENT": "R", "BRAND": "C", "ECOM": "I", "FIN": "I"},
        Decimal("50000"),
    ),
    "lantern-2027": ({"BRAND": "A", "CONTENT": "R", "PR": "R", "GROWTH": "C"}, Decimal("80000")),
    "womens-day-2027": (
        {"BRAND": "A", "CONTENT": "R", "ECOM": "R", "LEGAL": "C", "PR": "I"},
        Decimal("100000"),
    ),
    "first-flush-2027": (
        {"BRAND": "A", "CONTENT": "R", "RETAIL": "R", "ECOM": "R", "FIN": "C", "PR": "C"},
        Decimal("200000"),
    ),
}
# channel code → RACI letters, spend limit
CHANNEL_RACI = {
    "douyin": ({"GROWTH": "A", "CONTENT": "R", "ECOM": "R", "BRAND": "C", "FIN": "I"}, "200000"),
    "xiaohongshu": (
        {"BRAND": "A", "CONTENT": "R", "GROWTH": "C", "PR": "C", "LEGAL": "I"},
        "80000",
    ),
    "tmall": ({"ECOM": "A", "GROWTH": "R", "CONTENT": "C", "FIN": "C", "BRAND": "I"}, "150000"),
    "wechat": ({"CRM": "A", "CONTENT": "R", "BRAND": "C", "PR": "I"}, "30000"),
    "mini_program": ({"CRM": "A", "ECOM": "R", "GROWTH": "C", "FIN": "I"}, "50000"),
}
# milestone name → RACI letters, what the accountable department decides alone
MILESTONES = (
    (
        "Q1 close: Spring Festival review",
        {"FIN": "A", "BRAND": "R", "GROWTH": "R", "ECOM": "C", "CRM": "I"},
        "Closes the Q1 books and the campaign's ROI report.",
    ),
    (
        "Mid-year budget reallocation",
        {"FIN": "A", "GROWTH": "R", "BRAND": "R", "ECOM": "C", "RETAIL": "C", "LEGAL": "I"},
        "Moves up to 10 % of a quarter's budget between lines.",
    ),
    (
        "618 mid-year sale readiness",
        {"ECOM": "A", "GROWTH": "R", "CONTENT": "R", "RETAIL": "C", "FIN": "C", "LEGAL": "C"},
        "Sets the promotion mechanics within the approved discount floor.",
    ),
    (
        "Double 11 go-live",
        {
            "ECOM": "A",
            "GROWTH": "R",
            "CONTENT": "R",
            "CRM": "R",
            "BRAND": "C",
            "FIN": "C",
            "PR": "I",
        },
        "Decides the pre-sale calendar and the live-stream line-up.",
    ),
)

# kind, name, owner, participants, extra fields
RULES = (
    (
        "meeting",
        "Growth stand-up",
        "GROWTH",
        ["GROWTH", "ECOM", "CONTENT", "BRAND"],
        {"cadence": "weekly", "notes": "Mondays 10:00, 30 minutes: last week's numbers, blockers."},
    ),
    (
        "meeting",
        "Campaign sync",
        "BRAND",
        ["BRAND", "CONTENT", "GROWTH", "ECOM", "RETAIL", "PR"],
        {"cadence": "biweekly", "notes": "Calendar, creative status and launch checklists."},
    ),
    (
        "meeting",
        "Budget review",
        "FIN",
        ["FIN", "BRAND", "GROWTH", "ECOM"],
        {"cadence": "monthly", "notes": "Spend against plan, purchase orders, reserve draws."},
    ),
    (
        "meeting",
        "Quarterly business review",
        "BRAND",
        [d[0] for d in DEPARTMENTS],
        {"cadence": "quarterly", "notes": "Results, collaboration scores and next quarter's RACI."},
    ),
    (
        "document",
        "2027 plan master sheet",
        "FIN",
        ["BRAND", "GROWTH", "ECOM", "FIN"],
        {"link": "https://lumi-tea.feishu.cn/sheets/plan-2027"},
    ),
    (
        "document",
        "Campaign calendar and briefs",
        "BRAND",
        ["BRAND", "CONTENT", "GROWTH", "ECOM"],
        {"link": "https://lumi-tea.feishu.cn/wiki/campaigns-2027"},
    ),
    (
        "document",
        "Brand guidelines and claims list",
        "LEGAL",
        ["BRAND", "CONTENT", "LEGAL", "PR"],
        {"link": "https://lumi-tea.feishu.cn/wiki/brand-guidelines"},
    ),
    (
        "messaging",
        "Launch war room",
        "BRAND",
        ["BRAND", "GROWTH", "ECOM", "CONTENT", "PR"],
        {"tool": "wecom", "group": "Lumi 2027 · launch war room"},
    ),
    (
        "messaging",
        "Creative review",
        "CONTENT",
        ["CONTENT", "BRAND", "LEGAL"],
        {"tool": "feishu", "group": "#creative-review"},
    ),
    (
        "messaging",
        "Finance approvals",
        "FIN",
        ["FIN", "BRAND", "GROWTH", "ECOM"],
        {"tool": "email", "group": "budget-approvals@lumi-tea.example"},
    ),
)

STEPS = (
    (1, "Leads align", "The leads of the departments involved", 48),
    (2, "Coordination committee", "Marketing coordination committee (majority vote)", 72),
    (3, "CMO arbitration", "Chief marketing officer", 120),
)

# department code → Q1 and Q2 ratings (responsiveness, delivery, communication, conflicts)
SCORES = {
    "BRAND": ((4, 4, 5, 4), (4, 5, 5, 4)),
    "GROWTH": ((5, 4, 3, 3), (5, 4, 4, 3)),
    "CONTENT": ((3, 3, 4, 4), (4, 4, 4, 4)),
    "ECOM": ((4, 3, 3, 2), (4, 4, 3, 3)),
    "RETAIL": ((3, 3, 3, 3), (2, 3, 3, 3)),
    "CRM": ((4, 5, 4, 4), (4, 5, 4, 5)),
    "PR": ((5, 4, 4, 5), (4, 4, 4, 4)),
    "FIN": ((3, 4, 3, 4), (4, 4, 4, 4)),
    "LEGAL": ((2, 4, 3, 3), (3, 4, 3, 4)),
}
COMMENTS = {
    ("ECOM", 1): "Tmall assets reached Content late; the Spring Festival price dispute escalated.",
    ("RETAIL", 2): "Store events were planned without Growth; two pop-ups lacked traffic support.",
    ("GROWTH", 2): "Fast, but shares Douyin results with the other teams only on request.",
}


def _departments(plan: Plan, editor: User) -> dict[str, Department]:
    existing = {d.code: d for d in Department.objects.filter(workspace_id=plan.workspace_id)}
    users = {u.username: u for u in User.objects.filter(memberships__workspace=plan.workspace_id)}
    for order, (code, name, lead, description) in enumerate(DEPARTMENTS):
        if code not in existing:
            existing[code] = services.department_create(
                workspace=plan.workspace,
                actor=editor,
                code=code,
                name=name,
                lead=users.get(lead),
                description=description,
                sort_order=order,
            )
    return existing


def load(*, plan: Plan, editor: User, manager: User) -> None:
    """Add the departments, the RACI, the communication rules, the conflict path and the
    scores (nothing when the plan already has workstreams)."""
    departments = _departments(plan, editor)
    if Workstream.objects.filter(plan=plan).exists():
        return

    def cells(letters: dict[str, str]) -> dict[Department, str]:
        return {departments[code]: letter for code, letter in letters.items()}

    order = 0
    campaigns = {c.code: c for c in Campaign.objects.filter(plan=plan)}
    for code, (letters, limit) in CAMPAIGN_RACI.items():
        if code not in campaigns:
            continue
        services.workstream_create(
            plan=plan,
            actor=editor,
            kind=WorkstreamKind.CAMPAIGN,
            campaign=campaigns[code],
            cells=cells(letters),
            spend_limit=limit,
            decides_alone="Creative direction, KOL shortlist and media flighting within budget.",
            escalation="Spend above the limit, price or discount changes, claims Legal flags.",
            sort_order=order,
        )
        order += 1
    channels = {c.code: c for c in Channel.objects.filter(plan=plan)}
    for code, (letters, channel_limit) in CHANNEL_RACI.items():
        if code not in channels:
            continue
        services.workstream_create(
            plan=plan,
            actor=editor,
            kind=WorkstreamKind.CHANNEL,
            channel=channels[code],
            cells=cells(letters),
            spend_limit=Decimal(channel_limit),
            decides_alone="Daily bids, creative rotation and posting schedule.",
            escalation="Moving budget to another channel; a new agency or KOL contract.",
            sort_order=order,
        )
        order += 1
    for name, letters, alone in MILESTONES:
        services.workstream_create(
            plan=plan,
            actor=editor,
            kind=WorkstreamKind.MILESTONE,
            name=name,
            cells=cells(letters),
            decides_alone=alone,
            escalation="Anything that changes a quarter's total or a launch date.",
            sort_order=order,
        )
        order += 1

    for kind, name, owner, participants, extra in RULES:
        services.rule_create(
            plan=plan,
            actor=editor,
            kind=kind,
            name=name,
            owner=departments[owner],
            participants=[departments[c] for c in participants],
            **extra,
        )

    services.group_save(
        plan=plan,
        expected_version=0,
        changes={
            "name": "Marketing coordination committee",
            "chair": manager,
            "departments": [departments[c] for c in ("BRAND", "FIN", "ECOM", "GROWTH", "LEGAL")],
            "mandate": "Arbitrates resource and goal conflicts between departments; "
            "meets within two working days of an escalation.",
        },
        actor=editor,
    )
    for level, name, decider, hours in STEPS:
        services.step_create(
            plan=plan, actor=editor, level=level, name=name, decider=decider, sla_hours=hours
        )

    now = timezone.now()
    services.conflict_create(
        plan=plan,
        actor=editor,
        title="Spring Festival gift box: Tmall discount vs. brand price floor",
        description="E-commerce wants 30 % off in the last week; Brand holds the 15 % floor.",
        departments=[departments["ECOM"], departments["BRAND"], departments["FIN"]],
        raised_at=now - timedelta(days=4),
    )
    settled = services.conflict_create(
        plan=plan,
        actor=editor,
        title="Live-stream slots: Douyin flagship vs. store pop-ups",
        description="Both teams booked the same host for the first-flush weekend.",
        departments=[departments["GROWTH"], departments["RETAIL"]],
        raised_at=now - timedelta(days=20),
    )
    settled = services.conflict_escalate(
        conflict=settled, expected_version=settled.version, actor=editor
    )
    services.conflict_resolve(
        conflict=settled,
        expected_version=settled.version,
        outcome="Douyin keeps Saturday; the pop-ups get Sunday with a store-only host. "
        "Growth adds 20,000 of paid traffic to the pop-up stream.",
        actor=manager,
    )

    for code, quarters in SCORES.items():
        for quarter, (resp, delivery, comm, conflict) in enumerate(quarters, start=1):
            services.score_create(
                plan=plan,
                department=departments[code],
                quarter=quarter,
                actor=manager,
                responsiveness=resp,
                delivery=delivery,
                communication=comm,
                conflict_handling=conflict,
                comment=COMMENTS.get((code, quarter), ""),
            )
