"""The six sections of the annual plan outline (推广年度规划大纲) and their pages.

Each section app owns its page view; they share this registry for navigation
and for the outline each section follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.htmx import render_page
from planner.access import Action, can, plan_for_user
from planner.models import Plan, PlanStatus


@dataclass(frozen=True)
class Part:
    title: Promise
    summary: Promise


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    url_name: str
    title: Promise
    summary: Promise
    parts: tuple[Part, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        1,
        "goals",
        "kpis:section",
        _("Annual goals"),
        _("Core KPIs and their breakdown, market-share goals and brand-voice goals."),
        (
            Part(
                _("Core KPI breakdown"),
                _(
                    "User growth (new users, active users, retention), conversion rate, "
                    "cost and ROI, split into quarters and months and reviewed against "
                    "actual data."
                ),
            ),
            Part(
                _("Market-share goals"),
                _(
                    "Competitor benchmarks, breakthroughs in niche segments, regional "
                    "penetration plans and a diversified channel mix."
                ),
            ),
            Part(
                _("Brand-voice goals"),
                _(
                    "Content marketing, social-media interaction, PR and media partnerships, "
                    "reputation management and user feedback."
                ),
            ),
        ),
    ),
    Section(
        2,
        "channels",
        "channels:section",
        _("Channel strategy"),
        _("Online platforms, offline scenes and cross-border resources."),
        (
            Part(
                _("Online platforms"),
                _(
                    "The social-media matrix (WeChat, Weibo, Douyin…), SEO and SEM on Baidu "
                    "and 360, and flagship stores on Tmall and JD."
                ),
            ),
            Part(
                _("Offline scenes"),
                _(
                    "Pop-up stores and experience centres, community ground promotion with "
                    "cross-industry partners, trade shows and summit sponsorship."
                ),
            ),
            Part(
                _("Cross-border resources"),
                _(
                    "Charity tie-ins, IP co-branding and limited editions, and a tiered "
                    "KOL/KOC programme."
                ),
            ),
        ),
    ),
    Section(
        3,
        "content",
        "content:section",
        _("Content matrix"),
        _("Themed campaign calendar, creative production standards, user interaction."),
        (
            Part(
                _("Campaign calendar"),
                _(
                    "Festival campaigns (Spring Festival, Mid-Autumn, 618, Double 11…), "
                    "seasonal product pushes, IP tie-ins and social-responsibility programmes."
                ),
            ),
            Part(
                _("Creative production standards"),
                _(
                    "Brand visual rules with VI review, size-adaptation specs per channel, "
                    "content layers and copyright compliance for every asset."
                ),
            ),
            Part(
                _("User interaction mechanisms"),
                _(
                    "UGC challenges, a real-time feedback channel with a response-time SLA, "
                    "community tiers and a tiered reward system."
                ),
            ),
        ),
    ),
    Section(
        4,
        "monitoring",
        "monitoring:section",
        _("Data monitoring"),
        _("Funnels, channel grading, anomaly alerts, attribution, competitors and ROI."),
        (
            Part(
                _("Funnel metrics"),
                _("Exposure → click → visit → sign-up → purchase, with drop-off per stage."),
            ),
            Part(
                _("Channel ABC grading"),
                _("Channels graded on user quality, cost and retention, with budget shifts."),
            ),
            Part(
                _("Anomaly alerts"),
                _("Thresholds and a seasonal detector on CTR, CVR, CPA and spend."),
            ),
            Part(
                _("Attribution"),
                _("Last click, linear, time decay, position based and data-driven models."),
            ),
            Part(
                _("Competitor tracking"),
                _(
                    "Promotions, creatives, landing pages, traffic share, voice volume and "
                    "product updates."
                ),
            ),
            Part(
                _("ROI model"),
                _("One agreed ROI definition, layered ROI, LTV correction and sensitivity tests."),
            ),
        ),
    ),
    Section(
        5,
        "budget",
        "budget:section",
        _("Resource coordination"),
        _("Cross-department collaboration, suppliers and budget allocation rules."),
        (
            Part(
                _("Cross-department collaboration"),
                _(
                    "Responsibilities and decision rights, communication rules, a "
                    "conflict-resolution path and collaboration in performance reviews."
                ),
            ),
            Part(
                _("Supplier management"),
                _(
                    "Supplier tiers, delivery monitoring, risk-sharing clauses and a "
                    "joint-innovation fund."
                ),
            ),
            Part(
                _("Budget allocation rules"),
                _(
                    "Strategic priority weights, a cost-benefit sheet per request, quarterly "
                    "rolling reviews and a reserve fund drawn only with approval."
                ),
            ),
        ),
    ),
    Section(
        6,
        "execution",
        "planner:execution",
        _("Execution"),
        _("Quarterly milestones, key activities and contingency plans."),
        (
            Part(
                _("Quarterly milestones"),
                _(
                    "Annual goals broken into quarterly tasks with core indicators, key "
                    "activities with the departments they need, and a quarterly dashboard."
                ),
            ),
            Part(
                _("Contingency plans"),
                _(
                    "A risk register by impact, rapid resource allocation and crisis "
                    "playbooks with prepared statements, escalation paths and drills."
                ),
            ),
        ),
    ),
)

BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}


def render_section(
    request: HttpRequest,
    plan_id: int,
    key: str,
    *,
    template: str = "planner/section.html",
    extra: Callable[[Plan], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Render a section page of a plan the user may see."""
    plan = plan_for_user(request.user, plan_id)
    section = BY_KEY[key]
    return render_page(
        request,
        template,
        {
            "plan": plan,
            "section": section,
            "sections": SECTIONS,
            "can_edit": can(request.user, plan.workspace_id, Action.EDIT) and plan.is_editable,
            **(extra(plan) if extra else {}),
        },
    )


def section_view(key: str) -> Callable[[HttpRequest, int], HttpResponse]:
    """The page view of a section that shows its outline (before the section app
    has pages of its own)."""

    @login_required
    @require_GET
    def view(request: HttpRequest, plan_id: int) -> HttpResponse:
        return render_section(request, plan_id, key)

    view.__name__ = f"{key}_section"
    return view


def section_context(
    request: HttpRequest, plan: Plan, key: str, tab: str, tabs: Any, **extra: Any
) -> dict[str, Any]:
    """The context every tabbed page of a section shares.

    ``can_edit``: the plan is a draft and the user may edit it (planning writes).
    ``can_run``: the user may record how the plan runs (statuses, assets, metrics,
    alerts), which goes on after approval until the plan is archived.
    """
    may_edit = can(request.user, plan.workspace_id, Action.EDIT)
    return {
        "plan": plan,
        "section": BY_KEY[key],
        "sections": SECTIONS,
        "tab": tab,
        "tabs": tabs,
        "may_edit": may_edit,
        "can_edit": may_edit and plan.is_editable,
        "can_run": may_edit and plan.status != PlanStatus.ARCHIVED,
        **extra,
    }
