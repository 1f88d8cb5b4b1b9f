"""Pages of user interaction mechanisms: UGC challenges, feedback channels with their
response-time SLA, community tiers and tiered rewards, each with its goal and indicators.

Views parse and render; ``content.services.mechanism_*`` decide the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from content import services
from content.interaction_forms import LIST_TEXT, MechanismForm
from content.models import CommunityLevel, InteractionMechanism, MechanismKind
from content.pages import base_context
from content.queries import SlaFigures, sla_figures
from core.auth import actor_of
from core.errors import DomainError, InvalidInput, NotAllowed, StaleVersion
from core.forms import Conflict, attach_error, conflict_rows, posted_version
from core.htmx import is_htmx, refresh_or_redirect, render_page
from planner.access import Action, object_for_user, plan_for_user
from planner.models import Plan

# What each block of the page says about its kind.
TITLES: dict[str, Promise] = {
    MechanismKind.UGC_CHALLENGE: gettext_lazy("UGC challenges"),
    MechanismKind.FEEDBACK_CHANNEL: gettext_lazy("Feedback channels"),
    MechanismKind.COMMUNITY_TIER: gettext_lazy("Community tiers"),
    MechanismKind.REWARD_TIER: gettext_lazy("Tiered rewards"),
}
BLURBS: dict[str, Promise] = {
    MechanismKind.UGC_CHALLENGE: gettext_lazy(
        "Challenges that invite users to create and share content on a topic or hashtag."
    ),
    MechanismKind.FEEDBACK_CHANNEL: gettext_lazy(
        "Where users get answers in real time: an AI assistant first, then a person, "
        "within the response-time SLA."
    ),
    MechanismKind.COMMUNITY_TIER: gettext_lazy(
        "The groups users belong to — basic members, VIPs, KOC groups — and what they do there."
    ),
    MechanismKind.REWARD_TIER: gettext_lazy(
        "Points, badges and levels that reward users for buying, sharing and taking part."
    ),
}
ADD_LABELS: dict[str, Promise] = {
    MechanismKind.UGC_CHALLENGE: gettext_lazy("Add a UGC challenge"),
    MechanismKind.FEEDBACK_CHANNEL: gettext_lazy("Add a feedback channel"),
    MechanismKind.COMMUNITY_TIER: gettext_lazy("Add a community tier"),
    MechanismKind.REWARD_TIER: gettext_lazy("Add a reward scheme"),
}
EMPTY: dict[str, Promise] = {
    MechanismKind.UGC_CHALLENGE: gettext_lazy("No UGC challenges planned yet."),
    MechanismKind.FEEDBACK_CHANNEL: gettext_lazy("No feedback channels planned yet."),
    MechanismKind.COMMUNITY_TIER: gettext_lazy("No community tiers planned yet."),
    MechanismKind.REWARD_TIER: gettext_lazy("No reward schemes planned yet."),
}


@dataclass(frozen=True)
class Indicator:
    """One indicator of a mechanism, with its progress when target and actual are known."""

    name: str
    target: float | None
    actual: float | None
    unit: str
    progress: float | None  # actual ÷ target
    bar: int  # width of the progress bar, 0–100 (%)

    @property
    def target_text(self) -> str:
        return _number(self.target)

    @property
    def actual_text(self) -> str:
        return _number(self.actual)

    @property
    def tight_unit(self) -> bool:
        """``%``, ``‰`` and ``/5`` follow the number without a space."""
        return self.unit[:1] in ("%", "‰", "/")


@dataclass(frozen=True)
class Card:
    mechanism: InteractionMechanism
    indicators: list[Indicator]
    sla: SlaFigures | None  # feedback channels only
    sla_bar: int  # share of responses within the SLA, 0–100 (%)
    phase: str  # UGC challenges: "upcoming", "running" or "ended"; otherwise ""
    days: int  # length of the period in days (0 without one)


@dataclass(frozen=True)
class Block:
    kind: MechanismKind
    title: Promise
    blurb: Promise
    add_label: Promise
    empty: Promise
    cards: list[Card]
    summary: str
    alert: bool  # the summary reports a problem (an SLA breached)


def _number(value: float | None) -> str:
    """A number as typed, localised and grouped: ``5000.0`` → ``5,000``, ``4.60`` → ``4.6``."""
    if value is None:
        return ""
    return number_format(Decimal(str(value)).normalize(), force_grouping=True)


def _indicators(rows: Iterable[Mapping[str, Any]]) -> list[Indicator]:
    found = []
    for row in rows:
        target, actual = row.get("target"), row.get("actual")
        progress = actual / target if target and actual is not None else None
        bar = max(0, min(100, round(progress * 100))) if progress is not None else 0
        found.append(
            Indicator(
                str(row.get("name", "")), target, actual, str(row.get("unit") or ""), progress, bar
            )
        )
    return found


def _phase(m: InteractionMechanism, today: date) -> str:
    if m.kind != MechanismKind.UGC_CHALLENGE or m.start is None or m.end is None:
        return ""
    if today < m.start:
        return "upcoming"
    return "ended" if today > m.end else "running"


def _card(m: InteractionMechanism, today: date) -> Card:
    sla = sla_figures(m) if m.kind == MechanismKind.FEEDBACK_CHANNEL else None
    within = sla.within_sla if sla is not None else None
    return Card(
        mechanism=m,
        indicators=_indicators(m.indicators or []),
        sla=sla,
        sla_bar=round(within * 100) if within is not None else 0,
        phase=_phase(m, today),
        days=(m.end - m.start).days + 1 if m.start and m.end else 0,
    )


def _summary(kind: str, cards: list[Card]) -> tuple[str, bool]:
    """One line under a kind's count at the top of the page; True when it flags a problem."""
    if not cards:
        return _("None yet"), False
    if kind == MechanismKind.UGC_CHALLENGE:
        running = sum(1 for c in cards if c.phase == "running")
        upcoming = sum(1 for c in cards if c.phase == "upcoming")
        if running:
            return ngettext("%(n)s running now", "%(n)s running now", running) % {
                "n": running
            }, False
        if upcoming:
            return ngettext("%(n)s upcoming", "%(n)s upcoming", upcoming) % {"n": upcoming}, False
        return _("None running"), False
    if kind == MechanismKind.FEEDBACK_CHANNEL:
        measured = [c for c in cards if c.sla is not None and c.sla.samples]
        breached = sum(1 for c in measured if c.sla is not None and c.sla.breached)
        if breached:
            text = ngettext("%(n)s over its SLA", "%(n)s over their SLA", breached)
            return text % {"n": breached}, True
        if measured:
            return _("All within their SLA"), False
        return _("No response times measured yet"), False
    if kind == MechanismKind.COMMUNITY_TIER:
        members = sum(c.mechanism.members or 0 for c in cards)
        text = ngettext("%(n)s member", "%(n)s members", members)
        return text % {"n": number_format(members, force_grouping=True)}, False
    levels = sum(len(c.mechanism.levels or []) for c in cards)
    return ngettext("%(n)s level", "%(n)s levels", levels) % {"n": levels}, False


def _blocks(mechanisms: Iterable[InteractionMechanism], today: date) -> list[Block]:
    by_kind: dict[str, list[Card]] = {kind: [] for kind in MechanismKind.values}
    for m in mechanisms:
        by_kind[m.kind].append(_card(m, today))
    # community tiers from the broadest to the closest: basic, VIP, KOC
    levels = list(CommunityLevel.values)
    by_kind[MechanismKind.COMMUNITY_TIER].sort(
        key=lambda c: (
            levels.index(c.mechanism.level) if c.mechanism.level in levels else len(levels)
        )
    )
    blocks = []
    for kind in MechanismKind:
        cards = by_kind[kind]
        summary, alert = _summary(kind, cards)
        blocks.append(
            Block(
                kind,
                TITLES[kind],
                BLURBS[kind],
                ADD_LABELS[kind],
                EMPTY[kind],
                cards,
                summary,
                alert,
            )
        )
    return blocks


@login_required
@require_GET
def interaction(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    mechanisms = (
        InteractionMechanism.objects.filter(plan=plan)
        .select_related("channel", "owner")
        .order_by(F("start").asc(nulls_last=True), "name")  # challenges in date order
    )
    context = base_context(
        request, plan, "interaction", blocks=_blocks(mechanisms, timezone.localdate())
    )
    return render_page(request, "content/interaction.html", context)


# --- create, edit, delete -------------------------------------------------------------------


def _back(request: HttpRequest, plan: Plan, kind: str) -> HttpResponse:
    """After a save: reload the page in place (htmx) or go back to the kind's block."""
    return refresh_or_redirect(request, reverse("content:interaction", args=[plan.pk]) + f"#{kind}")


def _form_page(
    request: HttpRequest,
    plan: Plan,
    form: MechanismForm,
    mechanism: InteractionMechanism | None,
    *,
    conflict: Conflict | None = None,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    kind = MechanismKind(form.kind)
    action = (
        reverse("content:mechanism-save", args=[plan.pk, mechanism.pk])
        if mechanism
        else reverse("content:mechanism-create", args=[plan.pk])
    )
    context = base_context(
        request,
        plan,
        "interaction",
        form=form,
        mechanism=mechanism,
        kind=kind,
        add_label=ADD_LABELS[kind],
        action=action,
        conflict=conflict or [],
        stale=stale,
    )
    return render_page(
        request, "content/interaction_form.html", context, partial="mechanism-form", status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def mechanism_save(
    request: HttpRequest, plan_id: int, mechanism_id: int | None = None
) -> HttpResponse:
    """A mechanism's form (``GET``, in place via htmx or as a page); ``POST`` creates,
    updates or (with ``delete``) deletes it. A new one's kind comes from ``?kind=``."""
    plan = plan_for_user(request.user, plan_id, Action.EDIT)
    mechanism: InteractionMechanism | None = None
    if mechanism_id is not None:
        mechanism = object_for_user(
            InteractionMechanism.objects.select_related("channel", "owner"),
            request.user,
            Action.EDIT,
            pk=mechanism_id,
            plan_id=plan.pk,
        )
        kind = mechanism.kind
    else:
        kind = (request.POST if request.method == "POST" else request.GET).get("kind", "")
        if kind not in MechanismKind.values:
            raise InvalidInput(_("Choose a kind of mechanism."))
    if request.method == "GET":
        # a new mechanism is the author's until they name someone else
        initial = {"owner": request.user.pk} if mechanism is None else {}
        form = MechanismForm(instance=mechanism, initial=initial, plan=plan, kind=kind)
        return _form_page(request, plan, form, mechanism)

    actor = actor_of(request)
    if mechanism is not None and request.POST.get("delete"):
        try:
            services.mechanism_delete(
                mechanism=mechanism,
                expected_version=posted_version(request),
                actor=actor,
            )
        except StaleVersion:
            messages.error(
                request,
                _("%(name)s changed in the meantime and was not deleted; review it and try again.")
                % {"name": mechanism.name},
            )
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            messages.error(request, error.describe())
        else:
            messages.success(request, _("%(name)s deleted.") % {"name": mechanism.name})
        return _back(request, plan, kind)

    form = MechanismForm(request.POST, instance=mechanism, plan=plan, kind=kind)
    conflict: Conflict = []
    stale = False
    if form.is_valid():
        changes = form.changes()
        try:
            if mechanism is None:
                saved = services.mechanism_create(plan=plan, actor=actor, kind=kind, **changes)
            else:
                saved = services.mechanism_update(
                    mechanism=mechanism,
                    expected_version=form.cleaned_data.get("version") or 0,
                    changes=changes,
                    actor=actor,
                )
        except StaleVersion as error:
            current = error.current
            if current is None:
                messages.error(request, _("This mechanism was deleted in the meantime."))
                return _back(request, plan, kind)
            stale = True
            conflict = conflict_rows(form, changes, current, display=LIST_TEXT)
            mechanism = current
            form = MechanismForm(instance=current, plan=plan, kind=current.kind)
        except DomainError as error:
            if isinstance(error, NotAllowed):
                raise
            attach_error(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return _back(request, plan, kind)
    status = 200 if is_htmx(request) else (409 if stale else 400)
    return _form_page(request, plan, form, mechanism, conflict=conflict, stale=stale, status=status)
