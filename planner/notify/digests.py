"""Scheduled digests: the quarterly dashboard as an email (HTML + text + PDF).

1. ``due`` finds, in a fixed number of queries, every (member, live plan, period)
   whose digest is due at ``now`` in the member's own time zone (see ``periods``)
   and not yet claimed.
2. ``schedule_digests`` (the beat job, every 15 minutes) claims each one through
   ``delivery.claim``: the delivery's unique key ``digest:<user>:<plan>:<period>``
   makes the claim the guarantee — two beat processes, two workers, or the
   ``send_digests`` command racing the beat create one row, so one email.
3. The renderer registered for ``DIGEST_EMAIL`` builds the dashboard with the
   dashboard's own builder (nothing is recomputed) in the recipient's language
   and time zone, renders templates/emails/digest.* and attaches the PDF.
4. Alerts whose email hit the hourly cap (their delivery is ``deferred``) appear in
   the digest of their plan; once it is sent they are marked carried by it, so the
   next digest does not repeat them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OutboxMessage
from core.pdf import html_to_pdf
from core.templatetags.almanac import format_amount
from kpis.queries import STATUS_LABELS
from monitoring.models import Alert
from monitoring.queries import SEVERITY_ORDER
from planner import quarters
from planner.execution import dashboard
from planner.execution.models import MilestoneStatus
from planner.models import Membership, Plan, PlanStatus, Workspace
from planner.notify import compose, fanout, periods
from planner.notify import delivery as deliveries
from planner.notify.models import (
    AlertNotice,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DigestCadence,
    Subscription,
)
from planner.notify.subscriptions import zone
from planner.notify.unsubscribe import unsubscribe_headers

logger = logging.getLogger(__name__)

# How many held-back alerts the digest lists (the rest are counted).
HELD_SHOWN = 20

# The dashboard's colours (static/css/almanac.css, execution*.css) as inline styles.
RAG_COLOURS = {"green": "#047857", "amber": "#d97706", "red": "#b91c1c", "grey": "#9ca3af"}
MILESTONE_CHIPS = {
    "not_started": ("#eef0f5", "#4b5563"),
    "on_track": ("#e7f7ef", "#047857"),
    "at_risk": ("#fff5e0", "#b45309"),
    "late": ("#fdecec", "#b91c1c"),
    "done": ("#e6f0ff", "#1d4ed8"),
}
SEVERITY_CHIPS = {
    "critical": ("#fdecec", "#b91c1c"),
    "warning": ("#fff5e0", "#b45309"),
    "info": ("#e6f0ff", "#1d4ed8"),
}
RISK_BANDS = {
    "critical": ("#dc2626", "#ffffff"),
    "high": ("#f97316", "#ffffff"),
    "medium": ("#fde68a", "#78350f"),
    "low": ("#d1fae5", "#065f46"),
}
BUDGET_COLOURS = {"planned": "#c7cdf5", "committed": "#f59e0b", "actual": "#3b49df"}


# --- who is due ----------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One digest that must go out: a member, a plan of their workspace, a period."""

    subscription: Subscription
    plan: Plan
    period: str

    @property
    def user(self) -> Any:
        return self.subscription.membership.user

    @property
    def key(self) -> str:
        return dedup_key(self.user.pk, self.plan.pk, self.period)


def dedup_key(user_id: int, plan_id: int, period: str) -> str:
    return f"digest:{user_id}:{plan_id}:{period}"


def due(
    now: datetime,
    *,
    workspace: Workspace | None = None,
    plan: Plan | None = None,
    include_claimed: bool = False,
) -> list[Due]:
    """Every digest due at ``now`` and not claimed yet — three queries, whatever the
    number of members and plans."""
    subscriptions = (
        Subscription.objects.exclude(digest=DigestCadence.NONE)
        .filter(membership__user__is_active=True)
        .exclude(membership__user__email="")
        .select_related("membership__user")
        .order_by("pk")
    )
    if workspace is not None:
        subscriptions = subscriptions.filter(membership__workspace=workspace)
    if plan is not None:
        subscriptions = subscriptions.filter(membership__workspace_id=plan.workspace_id)
    found: list[tuple[Subscription, str]] = []
    for sub in subscriptions:
        local = now.astimezone(zone(sub.timezone))
        period = periods.due_period(sub.digest, local, sub.digest_hour)
        if period is not None:
            found.append((sub, period))
    if not found:
        return []
    # Live plans only: not archived, and not a scenario (a what-if copy has no news).
    plans = Plan.objects.exclude(status=PlanStatus.ARCHIVED).filter(
        workspace_id__in={sub.membership.workspace_id for sub, _period in found},
        scenario_of__isnull=True,
    )
    if plan is not None:
        plans = plans.filter(pk=plan.pk)
    by_workspace: dict[int, list[Plan]] = defaultdict(list)
    for p in plans.order_by("pk"):
        by_workspace[p.workspace_id].append(p)
    candidates = [
        Due(sub, p, period)
        for sub, period in found
        for p in by_workspace.get(sub.membership.workspace_id, [])
    ]
    if include_claimed or not candidates:
        return candidates
    claimed = set(
        Delivery.objects.filter(dedup_key__in=[c.key for c in candidates]).values_list(
            "dedup_key", flat=True
        )
    )
    return [c for c in candidates if c.key not in claimed]


def claim(item: Due, *, enqueue: bool = True) -> Delivery | None:
    """The claim: create the digest's delivery row (None when another process has)."""
    return deliveries.claim(
        dedup_key=item.key,
        enqueue=enqueue,
        workspace_id=item.plan.workspace_id,
        plan=item.plan,
        kind=DeliveryKind.DIGEST_EMAIL,
        recipient=item.user,
        address=item.user.email,
        period=item.period,
    )


def schedule_digests(now: datetime | None = None) -> int:
    """The beat job: claim every due digest; the sends run on the workers."""
    now = now or timezone.now()
    claimed = 0
    for item in due(now):
        with transaction.atomic():
            if claim(item) is not None:
                claimed += 1
    if claimed:
        logger.info("digests: %s claimed", claimed)
    return claimed


@dataclass
class RunSummary:
    due: int = 0
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def send_due_now(
    now: datetime | None = None,
    *,
    workspace: Workspace | None = None,
    plan: Plan | None = None,
    dry_run: bool = False,
) -> RunSummary:
    """``manage.py send_digests``: the same scan, claimed and sent in this process.

    Each claim writes its outbox message in the same transaction but does not
    publish it: this process sends right after commit and marks it done. If the
    process dies in between, the outbox sweep hands the send to a worker.
    """
    now = now or timezone.now()
    items = due(now, workspace=workspace, plan=plan)
    summary = RunSummary(due=len(items))
    if dry_run:
        return summary
    from planner.tasks import send_delivery  # the task body: locks the outbox row, sends

    for item in items:
        with transaction.atomic():
            row = claim(item, enqueue=False)
            if row is None:
                continue
            message = OutboxMessage.objects.create(
                task_name=deliveries.SEND_TASK,
                kwargs={"delivery_id": row.pk},
                dedup_key=f"delivery:{row.pk}",
                published_at=timezone.now(),
            )
        summary.claimed += 1
        try:
            status = send_delivery(delivery_id=row.pk, outbox_id=message.pk)
        except Exception as exc:  # recorded on the row; the sweep retries it
            logger.warning("digest %s not sent: %s", row.pk, exc)
            summary.failed += 1
            continue
        if status == DeliveryStatus.SENT:
            summary.sent += 1
        else:
            summary.skipped += 1
    return summary


# --- what a digest says ----------------------------------------------------------------


def _bar(share: float | Decimal | None) -> int:
    """A share as a bar width in whole percent, 0–100."""
    if share is None:
        return 0
    return max(0, min(100, round(float(share) * 100)))


def _text_bar(width: int, cells: int = 20) -> str:
    """The plain-text version of a bar: ``██████░░░░``."""
    full = round(width * cells / 100)
    return "█" * full + "░" * (cells - full)


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def content(
    plan: Plan,
    quarter: quarters.Quarter,
    *,
    today: date,
    held: list[Alert] | None = None,
    held_total: int = 0,
) -> dict[str, Any]:
    """The template context of a digest: the dashboard of ``quarter``, laid out for
    table cells with inline colours (call inside the recipient's language)."""
    d = dashboard.build(plan, quarter, today=today)
    currency = d.budget.currency
    kpis = [
        {
            "name": k.name,
            "target": format_amount(k.target, k.unit, currency),
            "actual": format_amount(k.actual, k.unit, currency),
            "ratio": "—" if k.ratio is None else format_amount(k.ratio, "percent", currency),
            "bar": _bar(k.ratio),
            "bar_text": _text_bar(_bar(k.ratio)),
            "colour": RAG_COLOURS.get(k.rag, RAG_COLOURS["grey"]),
            "status": STATUS_LABELS.get(k.status, ""),
        }
        for k in d.kpis
    ]
    milestones = [
        {
            "title": row.milestone.title,
            "status": row.status,
            "label": row.status_label,
            "chip": MILESTONE_CHIPS.get(row.status, MILESTONE_CHIPS["not_started"]),
            "percent": row.percent,
            "bar": max(0, min(100, row.percent)),
            "due": row.milestone.due,
            "owner": _person(row.milestone.owner),
            "overdue": row.status == MilestoneStatus.LATE,
        }
        for row in d.milestones
    ]
    milestones.sort(key=lambda m: (not m["overdue"], m["due"]))
    scale = max([f.planned for f in d.budget.by_quarter] + [Decimal(0)])
    for f in d.budget.by_quarter:
        scale = max(scale, f.committed + f.actual)

    def money(value: Any) -> str:
        return format_amount(value, "money", currency)

    def share_of_scale(value: Decimal) -> int:
        return _bar(value / scale) if scale > 0 else 0

    budget_quarters = [
        {
            "label": _("Q%(n)s") % {"n": number},
            "current": number == quarter.number,
            "planned": money(f.planned),
            "committed": money(f.committed),
            "actual": money(f.actual),
            "planned_bar": share_of_scale(f.planned),
            "committed_bar": share_of_scale(f.committed),
            "actual_bar": share_of_scale(f.actual),
            "overspent": f.overspent,
        }
        for number, f in enumerate(d.budget.by_quarter, start=1)
    ]
    budget_rows = [
        {
            "label": label,
            "planned": money(f.planned),
            "committed": money(f.committed),
            "actual": money(f.actual),
            "used": "—" if f.used_share is None else format_amount(f.used_share, "percent"),
            "bar": _bar(f.used_share),
            "bar_text": _text_bar(_bar(f.used_share)),
            "colour": RAG_COLOURS["red"] if f.overspent else "#2563eb",
        }
        for label, f in (
            (_("Quarter %(q)s") % {"q": quarter.number}, d.budget.quarter),
            (_("Year to date (Q1–Q%(q)s)") % {"q": quarter.number}, d.budget.year_to_date),
            (_("Whole year"), d.budget.year),
        )
    ]
    alert_counts = [
        {"label": s.label, "count": d.open_alerts.get(s.value, 0), "chip": SEVERITY_CHIPS[s.value]}
        for s in SEVERITY_ORDER
    ]

    def alert_row(a: Alert) -> dict[str, Any]:
        return {
            "severity": a.get_severity_display(),
            "chip": SEVERITY_CHIPS.get(a.severity, SEVERITY_CHIPS["info"]),
            "channel": str(a.channel) if a.channel_id else "",
            "text": a.message or a.metric,
            "window_end": a.window_end,
        }

    risks = []
    for r in d.risks:
        risk_band = dashboard.risk_band(r)
        risks.append(
            {
                "title": r.title,
                "score": r.impact * r.likelihood,
                "chip": RISK_BANDS.get(risk_band, RISK_BANDS["low"]),
                "category": r.get_category_display(),
                "owner": _person(r.owner),
                "playbook": r.playbook.title if r.playbook_id and r.playbook else "",
            }
        )
    return {
        "d": d,
        "plan": plan,
        "quarter": quarter,
        "kpis": kpis,
        "kpi_counts": d.kpi_counts,
        "milestones": milestones,
        "milestone_counts": [
            {
                "label": label,
                "count": d.milestone_counts.get(key, 0),
                "chip": MILESTONE_CHIPS.get(key, MILESTONE_CHIPS["not_started"]),
            }
            for key, label in MilestoneStatus.choices
        ],
        "overdue": sum(1 for m in milestones if m["overdue"]),
        "budget_rows": budget_rows,
        "budget_quarters": budget_quarters,
        "budget_colours": BUDGET_COLOURS,
        "quarter_used": (
            "—"
            if d.budget.quarter.used_share is None
            else format_amount(d.budget.quarter.used_share, "percent")
        ),
        "alert_counts": alert_counts,
        "top_alerts": [alert_row(a) for a in d.top_alerts],
        "risks": risks,
        "held": [alert_row(a) for a in held or []],
        "held_total": held_total,
        "held_more": max(0, held_total - len(held or [])),
        "links": {
            "dashboard": _url("planner:execution-dashboard", plan_id=plan.pk)
            + f"?quarter={quarter.code}",
            "alerts": _url("monitoring:alerts", plan_id=plan.pk),
            "risks": _url("planner:execution-risks", plan_id=plan.pk),
            "pdf": _url("planner:digest-pdf", plan_id=plan.pk) + f"?quarter={quarter.code}",
        },
    }


def quarter_of(plan: Plan, period: str) -> tuple[quarters.Quarter, date]:
    """The quarter a digest of ``period`` shows, and the day it is read on."""
    return quarters.default(plan.year, periods.report_date(period)), periods.period_start(period)


def pdf_filename(quarter: quarters.Quarter) -> str:
    return f"almanac-digest-{quarter.year}-Q{quarter.number}.pdf"


def render_pdf(context: dict[str, Any]) -> bytes:
    html = render_to_string("emails/digest.html", {**context, "for_pdf": True})
    return html_to_pdf(html, base_url=settings.SITE_URL + "/")


def _held_notices(delivery: Delivery, plan: Plan) -> list[AlertNotice]:
    """Alerts of the plan that the hourly cap held back from this recipient's email
    and no digest has carried yet (locked until this send commits)."""
    return list(
        AlertNotice.objects.select_for_update(of=("self",))
        .filter(
            recipient_id=delivery.recipient_id,
            delivery__status=DeliveryStatus.DEFERRED,
            carried_by__isnull=True,
            alert__plan=plan,
        )
        .select_related("alert__channel")
        .order_by("pk")
    )


def footer_links(membership: Membership) -> dict[str, str]:
    """The subscription settings page and the signed one-click unsubscribe link."""
    links = compose.footer(membership, "digest")
    return {"settings": links["settings_link"], "unsubscribe": links["unsubscribe_link"]}


def render_digest(delivery: Delivery) -> deliveries.Rendered | None:
    """The renderer of ``DIGEST_EMAIL`` deliveries (None: nothing to send any more)."""
    plan = delivery.plan
    user = delivery.recipient
    if plan is None or user is None or plan.status == PlanStatus.ARCHIVED:
        return None
    membership = (
        Membership.objects.select_related("subscription", "workspace")
        .filter(user=user, workspace_id=delivery.workspace_id)
        .first()
    )
    sub = getattr(membership, "subscription", None) if membership else None
    if membership is None or sub is None or sub.digest == DigestCadence.NONE:
        return None  # left the workspace or unsubscribed since the claim
    if not user.is_active or not delivery.address:
        return None
    notices = _held_notices(delivery, plan)
    delivery._carried_notice_ids = [n.pk for n in notices]  # type: ignore[attr-defined]
    held = fanout.distinct_alerts(notices)
    quarter, today = quarter_of(plan, delivery.period)
    with compose.recipient_locale(sub):
        context = content(
            plan,
            quarter,
            today=today,
            held=[alert for alert, _escalated in held[:HELD_SHOWN]],
            held_total=len(held),
        )
        context.update(
            recipient=user,
            period=delivery.period,
            cadence=sub.get_digest_display(),
            footer=footer_links(membership),
            generated_at=timezone.now(),
        )
        subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", context)
        pdf = render_pdf(context)
    headers = {
        **unsubscribe_headers(
            user, membership.workspace, "digest", url=context["footer"]["unsubscribe"]
        ),
        "Auto-Submitted": "auto-generated",
    }
    message = EmailMultiAlternatives(subject, text, to=[delivery.address], headers=headers)
    message.attach_alternative(html, "text/html")
    message.attach(pdf_filename(quarter), pdf, "application/pdf")
    return deliveries.Rendered(subject=subject, email=message)


def mark_carried(delivery: Delivery) -> None:
    """After the send: the held-back alerts it listed are carried, not to be repeated."""
    ids = getattr(delivery, "_carried_notice_ids", [])
    if ids:
        AlertNotice.objects.filter(pk__in=ids, carried_by__isnull=True).update(carried_by=delivery)


deliveries.register(DeliveryKind.DIGEST_EMAIL, render_digest, after_send=mark_carried)
