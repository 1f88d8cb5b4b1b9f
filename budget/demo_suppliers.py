"""The demo plan's suppliers (Lumi Tea, 2027): fifteen agencies and vendors across the
categories, their Q1–Q3 reviews, risk-sharing clauses on the strategic ones and a
joint-innovation fund with three projects. Used only by ``manage.py load_demo``; safe to
load twice.

The story: Swift Print Co. slipped in Q2 and Q3 (late 618 gift boxes, then colour
mismatches on the Mid-Autumn tins) and is flagged; the manager has asked for a correction
plan, with Green Leaf Packaging as the backup. Lantern Events failed once (the 618
pop-up opened late) and recovered, so it is not flagged. Northstar Programmatic is set
to strategic by hand: it holds the direct Douyin bidding seats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from budget import supplier_services as services
from budget.models import ClauseKind, FlagAction, ProjectStatus, Supplier, SupplierFlag
from planner.models import Plan

D = Decimal

# name, category, contact, email, qualification, capability, reviews per quarter
# (quality, timeliness, compliance, comment), extra fields
SUPPLIERS: tuple[tuple[str, str, str, str, int, int, tuple[Any, ...], dict[str, Any]], ...] = (
    (
        "Blue Harbour Media",
        "media_buying",
        "Liu Yang",
        "liu.yang@blueharbour.example",
        92,
        90,
        (
            (90, 88, 95, "Spring Festival buy delivered 104 % of planned reach."),
            (92, 90, 94, "618 placements on time; clean invoicing."),
            (91, 93, 96, "Tmall and Douyin bundles booked two weeks early."),
        ),
        {},
    ),
    (
        "Northstar Programmatic",
        "media_buying",
        "Sun Hao",
        "sun.hao@northstar.example",
        80,
        82,
        (
            (80, 75, 85, "Good CPMs; reports a week late."),
            (78, 82, 88, ""),
            (82, 80, 86, "Reporting fixed with a shared dashboard."),
        ),
        {
            "tier_override": "strategic",
            "tier_override_reason": "Holds the direct Douyin (Ocean Engine) bidding seats we "
            "need for Double 11; decided by the CMO for 2027.",
        },
    ),
    (
        "Jade Lantern Creative",
        "creative",
        "Zhou Min",
        "zhou.min@jadelantern.example",
        90,
        93,
        (
            (94, 88, 92, "The Spring Festival film carried the campaign."),
            (92, 90, 95, ""),
            (95, 91, 94, "Mid-Autumn key visual approved in the first round."),
        ),
        {},
    ),
    (
        "Paper Crane Studio",
        "creative",
        "He Lin",
        "he.lin@papercrane.example",
        82,
        76,
        (
            (85, 70, 90, "Illustrations loved, two days late."),
            (80, 78, 88, ""),
            (84, 76, 90, ""),
        ),
        {},
    ),
    (
        "Ripple Motion Films",
        "creative",
        "Ma Jun",
        "ma.jun@ripplemotion.example",
        74,
        72,
        (
            (72, 65, 80, "Reshoot needed for the product close-ups."),
            (70, 72, 82, ""),
            (75, 70, 85, ""),
        ),
        {},
    ),
    (
        "Tea Talk KOL Agency",
        "kol_agency",
        "Xu Ting",
        "xu.ting@teatalk.example",
        88,
        90,
        (
            (90, 86, 88, "40 creators briefed for Spring Festival; all disclosures correct."),
            (89, 88, 90, ""),
            (91, 87, 92, "Creator series beat the engagement target by 30 %."),
        ),
        {},
    ),
    (
        "Bright Feed MCN",
        "kol_agency",
        "Guo Rui",
        "guo.rui@brightfeed.example",
        70,
        82,
        (
            (76, 72, 60, "Two posts without the ad label; corrected."),
            (78, 74, 66, ""),
            (80, 75, 70, ""),
        ),
        {},
    ),
    (
        "Swift Print Co.",
        "printing",
        "Tang Wei",
        "tang.wei@swiftprint.example",
        75,
        68,
        (
            (78, 72, 80, ""),
            (62, 55, 70, "618 gift boxes arrived 9 days late; 3 stores without POS."),
            (60, 58, 66, "Mid-Autumn tins off-colour; reprint of 20 %."),
        ),
        {},
    ),
    (
        "Green Leaf Packaging",
        "printing",
        "Lu Fang",
        "lu.fang@greenleaf.example",
        86,
        88,
        (
            (88, 90, 92, "FSC-certified board for all cups."),
            (90, 86, 94, ""),
            (87, 89, 93, ""),
        ),
        {},
    ),
    (
        "Lantern Events",
        "events",
        "Yang Qian",
        "yang.qian@lanternevents.example",
        80,
        78,
        (
            (82, 60, 85, ""),
            (70, 55, 80, "The 618 pop-up in Chengdu opened a day late."),
            (80, 78, 84, "Mid-Autumn tea garden event on time and full."),
        ),
        {},
    ),
    (
        "Moonbay Exhibitions",
        "events",
        "Deng Hui",
        "deng.hui@moonbay.example",
        65,
        70,
        ((None), (72, 70, 75, "First job: the Shanghai tea expo booth."), None),
        {},
    ),
    (
        "Cold Chain Express",
        "logistics",
        "Feng Lei",
        "feng.lei@coldchain.example",
        84,
        80,
        (
            (85, 92, 88, ""),
            (86, 90, 90, "618 peak handled without a missed slot."),
            (84, 93, 89, ""),
        ),
        {},
    ),
    (
        "Rapid Parcel Network",
        "logistics",
        "Cao Bin",
        "cao.bin@rapidparcel.example",
        60,
        65,
        (None, None, None),
        {"is_active": False, "notes": "Replaced by Cold Chain Express in 2026; kept for history."},
    ),
    (
        "DataLoom Analytics",
        "technology",
        "Wu Jing",
        "wu.jing@dataloom.example",
        90,
        86,
        (
            (88, 80, 95, "CDP connected to Tmall and the mini-program."),
            (90, 85, 96, ""),
            (92, 88, 97, "Attribution feed stable; PIPL audit passed."),
        ),
        {},
    ),
    (
        "Insight Panel Research",
        "research",
        "Qin Yue",
        "qin.yue@insightpanel.example",
        78,
        74,
        (
            (80, 70, 88, "Brand health wave 1."),
            (82, 76, 90, ""),
            None,
        ),
        {},
    ),
)

CLAUSES: dict[str, tuple[dict[str, Any], ...]] = {
    "Blue Harbour Media": (
        {
            "kind": ClauseKind.PRICE_INDEX,
            "title": "Media price index",
            "index_name": "CTR China media CPM index",
            "threshold_pct": D("5"),
            "supplier_share_pct": D("50"),
            "text": "Reviewed each quarter on the published index.",
        },
        {"kind": ClauseKind.BACKUP, "title": "Backup buyer", "backup": "Northstar Programmatic"},
    ),
    "Jade Lantern Creative": (
        {
            "kind": ClauseKind.FORCE_MAJEURE,
            "title": "Shoots and studios",
            "events": "Epidemic lockdowns, extreme weather, power cuts at the studio.",
            "notice_days": 3,
        },
        {"kind": ClauseKind.BACKUP, "title": "Backup studio", "backup": "Paper Crane Studio"},
    ),
    "Tea Talk KOL Agency": (
        {"kind": ClauseKind.BACKUP, "title": "Backup agency", "backup": "Bright Feed MCN"},
        {
            "kind": ClauseKind.OTHER,
            "title": "Creator exclusivity",
            "text": "Head creators may not promote another tea brand within 30 days of our posts.",
        },
    ),
    "Green Leaf Packaging": (
        {
            "kind": ClauseKind.PRICE_INDEX,
            "title": "Pulp price",
            "index_name": "China paper pulp price index",
            "threshold_pct": D("8"),
            "supplier_share_pct": D("40"),
        },
        {"kind": ClauseKind.BACKUP, "title": "Backup printer", "backup": "Swift Print Co."},
    ),
    "DataLoom Analytics": (
        {
            "kind": ClauseKind.FORCE_MAJEURE,
            "title": "Platform outages",
            "events": "Cloud data-centre outage, platform API shutdowns, regulatory orders.",
            "notice_days": 1,
        },
    ),
    "Northstar Programmatic": (
        {"kind": ClauseKind.BACKUP, "title": "Backup buyer", "backup": "Blue Harbour Media"},
    ),
    "Swift Print Co.": (
        {"kind": ClauseKind.BACKUP, "title": "Backup printer", "backup": "Green Leaf Packaging"},
    ),
}

PROJECTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Cold-brew tea sachet for offices",
        "description": "A compostable cold-brew sachet sold in office packs.",
        "suppliers": ("Green Leaf Packaging", "Jade Lantern Creative"),
        "budget": D("450000"),
        "status": ProjectStatus.RUNNING,
        "results": "Prototype with 12 % less material; pilot in 30 Shanghai offices in Q4.",
    },
    {
        "name": "Live tea-tasting format",
        "description": "A weekly Douyin live format with tea masters and creators.",
        "suppliers": ("Tea Talk KOL Agency", "Blue Harbour Media"),
        "budget": D("300000"),
        "status": ProjectStatus.IDEA,
        "results": "",
    },
    {
        "name": "Recyclable cup lid",
        "description": "A fibre lid replacing the plastic one.",
        "suppliers": ("Green Leaf Packaging",),
        "budget": D("250000"),
        "status": ProjectStatus.DONE,
        "results": "Rolled out in all stores in June; the design is shared with the supplier, "
        "who may sell it to others after 2028.",
    },
)


def load(*, plan: Plan, editor: User, manager: User) -> None:
    """Add the suppliers, their reviews and clauses, the flag decision and the fund."""
    if Supplier.objects.filter(workspace_id=plan.workspace_id).exists():
        return
    year = plan.year
    by_name: dict[str, Supplier] = {}
    for name, category, contact, email, qualification, capability, _reviews, extra in SUPPLIERS:
        by_name[name] = services.supplier_create(
            workspace=plan.workspace,
            actor=editor,
            name=name,
            category=category,
            contact_name=contact,
            contact_email=email,
            contact_phone="",
            contract_start=date(year - 1, 12, 1),
            contract_end=date(year, 12, 31),
            qualification_score=qualification,
            capability_score=capability,
            **extra,
        )
    for name, _c, _n, _e, _q, _cap, reviews, _x in SUPPLIERS:
        for quarter, review in enumerate(reviews, start=1):
            if review is None:
                continue
            quality, timeliness, compliance, comment = review
            services.review_create(
                supplier=by_name[name],
                plan=plan,
                actor=editor,
                quarter=quarter,
                quality=quality,
                timeliness=timeliness,
                compliance=compliance,
                comment=comment,
                reviewer=manager if quarter == 3 else editor,
            )
    for name, clauses in CLAUSES.items():
        for clause in clauses:
            fields = dict(clause)
            if "backup" in fields:
                fields["backup"] = by_name[fields["backup"]]
            services.clause_create(supplier=by_name[name], actor=editor, **fields)
    flag = SupplierFlag.objects.filter(plan=plan, status="open").first()
    if flag is not None:
        services.flag_decide(
            flag=flag,
            expected_version=flag.version,
            changes={
                "action": FlagAction.CORRECTION,
                "action_note": "Written correction plan by 15 October: colour proofs signed "
                "off before each run and a second press line for peaks. Green Leaf "
                "Packaging is ready as backup.",
            },
            actor=manager,
        )
    fund = services.fund_for(plan)
    services.fund_update(
        plan=plan,
        expected_version=fund.version,
        actor=manager,
        amount=D("1200000"),
        purpose="Co-develop products and formats with our strategic suppliers; results "
        "shared under a joint agreement.",
    )
    for project in PROJECTS:
        fields = dict(project)
        suppliers = [by_name[n] for n in fields.pop("suppliers")]
        services.project_create(
            plan=plan, actor=editor, owner=manager, suppliers=suppliers, **fields
        )
