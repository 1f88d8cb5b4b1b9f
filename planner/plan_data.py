"""The plan's planning content, section by section, as plain data.

``collect(plan)`` reads what the team *planned* — goals, channels, content,
monitoring rules, budget, execution — (never live data: no metrics, alerts,
imports or transfers) into a :class:`PlanData` that serialises to JSON. Plan
versions store that JSON, the diff compares two of them, the export prints it.

Every row has a *natural key* (a code, a name, a quarter…), never a database
id, so that the same row matches across versions and across scenario copies.
Values are JSON-able: ``str``, ``int``, ``float``, ``bool``, ``None``, Decimals
as strings, dates as ISO strings; a choice is stored as its code and shown
through :meth:`Column.display`.

Labels (section and table titles, column headings) are re-resolved from their
keys when a snapshot is loaded, so an old version reads in the reader's
language; the label written in the JSON is the fallback for a key that no
longer exists.

Queries are bounded: one query per table (plus one per many-to-many column),
whatever the number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from django.db import models
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from planner.models import Plan

Kind = Literal["text", "number", "money", "percent", "date", "bool"]
KINDS: tuple[str, ...] = ("text", "number", "money", "percent", "date", "bool")
Value = str | int | float | bool | None

# ---------------------------------------------------------------------------
# The data


@dataclass
class Column:
    """One column: ``kind`` says how to show the value.

    ``money`` is a Decimal string in the plan's currency, ``percent`` a fraction
    (0.35 is 35 %), ``date`` an ISO date, ``number`` a Decimal string or a number.
    ``choices`` maps a stored code to its (translatable) label.
    """

    key: str
    label: str | Promise
    kind: Kind = "text"
    choices: dict[str, str | Promise] | None = None

    def display(self, value: Value) -> Value:
        """A choice code as its label (in the active language); other values unchanged."""
        if self.choices and isinstance(value, str) and value in self.choices:
            return str(self.choices[value])
        return value


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, Value]
    pk: int | None = None  # the database row, for its change history; not part of the content
    unit: str = ""  # the unit of the row's numbers when no column states it (KPI breakdown)


@dataclass
class Table:
    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


@dataclass
class Section:
    key: str
    title: str | Promise
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


@dataclass
class PlanData:
    plan_id: int | None
    name: str
    year: int
    currency: str
    status: str
    description: str
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def to_json(self, *, pks: bool = False) -> dict[str, Any]:
        """Plain JSON; ``pks`` adds each row's database id (versions keep it to find the
        row's change history; it is never compared)."""
        return {
            "format": 1,
            "plan": {
                "id": self.plan_id,
                "name": self.name,
                "year": self.year,
                "currency": self.currency,
                "status": self.status,
                "description": self.description,
            },
            "sections": [
                {
                    "key": s.key,
                    "title": str(s.title),
                    "tables": [
                        {
                            "key": t.key,
                            "title": str(t.title),
                            "columns": [
                                {"key": c.key, "label": str(c.label), "kind": c.kind}
                                for c in t.columns
                            ],
                            "rows": [
                                {"key": r.key, "label": r.label, "values": dict(r.values)}
                                | ({"unit": r.unit} if r.unit else {})
                                | ({"pk": r.pk} if pks and r.pk is not None else {})
                                for r in t.rows
                            ],
                        }
                        for t in s.tables
                    ],
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanData:
        """Load a snapshot; titles and column labels come from the current code when their
        keys still exist (so they are in the active language), else from the JSON."""
        plan = data.get("plan", {})
        section_titles = _section_titles()
        specs = _specs_by_key()
        sections = []
        for s in data.get("sections", []):
            tables = [_table_from_json(s["key"], t, specs) for t in s.get("tables", [])]
            title = section_titles.get(s["key"], s.get("title", s["key"]))
            sections.append(Section(s["key"], title, tables))
        return cls(
            plan_id=plan.get("id"),
            name=plan.get("name", ""),
            year=plan.get("year", 0),
            currency=plan.get("currency", ""),
            status=plan.get("status", ""),
            description=plan.get("description", ""),
            sections=sections,
        )


def _table_from_json(
    section: str, t: dict[str, Any], specs: dict[tuple[str, str], TableSpec]
) -> Table:
    spec = specs.get((section, t["key"]))
    columns = []
    for c in t.get("columns", []):
        known = spec.column(c["key"]) if spec else None
        if known is not None:
            columns.append(Column(c["key"], known.label, c.get("kind", known.kind), known.choices))
        else:
            columns.append(Column(c["key"], c.get("label", c["key"]), c.get("kind", "text")))
    rows = [
        Row(r["key"], r.get("label", r["key"]), dict(r["values"]), r.get("pk"), r.get("unit", ""))
        for r in t.get("rows", [])
    ]
    return Table(t["key"], spec.title if spec else t.get("title", t["key"]), columns, rows)


# ---------------------------------------------------------------------------
# Values


def decimal_text(value: Decimal, places: int | None = None) -> str:
    """A Decimal as plain text without exponent; trailing zeros dropped unless ``places``."""
    if places is not None:
        return f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def to_value(value: Any, kind: str = "text") -> Value:
    """A model value as a JSON-able value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value, 2 if kind == "money" else None)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return value
    if isinstance(value, list | dict) and not value:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, models.Model):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# ---------------------------------------------------------------------------
# The table specifications


@dataclass(frozen=True)
class Col:
    """A column read from a model attribute path (``channel__code``) or a getter."""

    key: str
    path: str = ""
    kind: Kind | None = None
    label: str | Promise | None = None
    get: Callable[[Any], Any] | None = None
    many: str = ""  # a many-to-many attribute: the value is its members' ``many`` attribute


@dataclass(frozen=True)
class TableSpec:
    section: str
    key: str
    title: Promise
    model: str  # "app.Model"
    plan_filter: str  # the lookup from the model to the plan: "plan", "channel__plan"
    cols: tuple[Col, ...]
    row_key: Callable[[Any], str]
    row_label: Callable[[Any], str]
    select: tuple[str, ...] = ()
    extra_filter: dict[str, Any] = field(default_factory=dict)
    order: tuple[str, ...] = ("pk",)
    row_unit: Callable[[Any], str] | None = None  # see Row.unit

    def model_class(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model)

    def _field(self, path: str) -> models.Field | None:
        model: Any = self.model_class()
        found = None
        for part in path.split("__"):
            try:
                found = model._meta.get_field(part)
            except Exception:
                return None
            if found.is_relation and found.related_model is not None:
                model = found.related_model
        return found

    def _first_field(self, path: str) -> models.Field | None:
        try:
            return self.model_class()._meta.get_field(path.split("__")[0])  # type: ignore[return-value]
        except Exception:
            return None

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns() if c.key == key), None)

    def columns(self) -> list[Column]:
        return _columns(self)


def _columns(spec: TableSpec) -> list[Column]:
    result = []
    for col in spec.cols:
        path = col.path or col.key
        first = spec._first_field(path)
        target = None if col.many else spec._field(path)
        label: str | Promise = col.label or (first.verbose_name if first is not None else col.key)
        kind: Kind = col.kind or _kind_of(target)
        choices = None
        if target is not None and getattr(target, "choices", None) and not col.get:
            choices = {str(k): v for k, v in target.flatchoices}
        result.append(Column(col.key, label, kind, choices))
    return result


def _kind_of(f: models.Field | None) -> Kind:
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return "date"
    if isinstance(f, models.DecimalField | models.IntegerField | models.FloatField):
        return "number"
    return "text"


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _q(n: int | None) -> str:
    return f"Q{n}" if n else "-"


def _kpi_quarters(kpi: Any) -> list[Any]:
    from kpis.breakdown import quarter_values

    if len(kpi.months or []) != 12:
        return [None] * 4
    try:
        return list(quarter_values(kpi.month_values(), kpi.month_weights(), kpi.rule))
    except (ValueError, ArithmeticError):
        return [None] * 4


def _kpi_month(n: int) -> Callable[[Any], Any]:
    def get(kpi: Any) -> Any:
        months = kpi.months or []
        return Decimal(months[n - 1][0]) if len(months) == 12 else None

    return get


def _kpi_quarter(n: int) -> Callable[[Any], Any]:
    def get(kpi: Any) -> Any:
        value = _kpi_quarters(kpi)[n - 1]
        return value.quantize(Decimal("0.000001")) if isinstance(value, Decimal) else value

    return get


def _quarter_text(n: int) -> str:
    return gettext("Q%(n)s") % {"n": n}


def _month_text(n: int) -> str:
    return gettext("Month %(month)s") % {"month": n}


_quarter_label = lazy(_quarter_text, str)


def _level_label(level: int) -> str:
    return gettext("Level %(level)s") % {"level": level}


_month_label = lazy(_month_text, str)

_OWNER = Col("owner", get=lambda o: _username(o.owner), label=_("owner"))

_SINGLE = "-"


def _single(_obj: Any) -> str:
    return _SINGLE


SPECS: tuple[TableSpec, ...] = (
    # 1. Annual goals
    TableSpec(
        "goals",
        "objectives",
        _("Objectives"),
        "kpis.Objective",
        "plan",
        (Col("area"), Col("title"), Col("description"), _OWNER),
        row_key=lambda o: f"{o.area}:{o.title}",
        row_label=lambda o: o.title,
        select=("owner",),
        order=("sort_order", "pk"),
    ),
    TableSpec(
        "goals",
        "kpis",
        _("KPIs"),
        "kpis.Kpi",
        "plan",
        (
            Col("name"),
            Col("objective", get=lambda k: k.objective.title if k.objective else None),
            Col("unit"),
            Col("direction"),
            Col("source"),
            Col("formula"),
            Col("annual_target"),
            Col("aggregation"),
            Col("profile"),
            Col("channel_split"),
            Col("region_split"),
            _OWNER,
        ),
        row_key=lambda k: k.code,
        row_label=lambda k: k.name,
        select=("objective", "owner"),
        order=("sort_order", "pk"),
    ),
    TableSpec(
        "goals",
        "kpi_breakdown",
        _("KPI breakdown by quarter and month"),
        "kpis.Kpi",
        "plan",
        tuple(
            Col(f"q{n}", kind="number", label=_quarter_label(n), get=_kpi_quarter(n))
            for n in range(1, 5)
        )
        + tuple(
            Col(f"m{n}", kind="number", label=_month_label(n), get=_kpi_month(n))
            for n in range(1, 13)
        ),
        row_key=lambda k: k.code,
        row_label=lambda k: k.name,
        order=("sort_order", "pk"),
        row_unit=lambda k: k.unit,
    ),
    TableSpec(
        "goals",
        "strategic_goals",
        _("Market-share and brand-voice goals"),
        "kpis.StrategicGoal",
        "plan",
        (
            Col("family"),
            Col("kind"),
            Col("subject"),
            Col("indicator"),
            Col("unit"),
            Col("baseline"),
            Col("target"),
            Col("reference"),
            Col("kpi", get=lambda g: g.kpi.code if g.kpi else None),
            Col("notes"),
        ),
        row_key=lambda g: f"{g.family}:{g.kind}:{g.subject}:{g.indicator}",
        row_label=lambda g: f"{g.subject} · {g.indicator}",
        select=("kpi",),
    ),
    TableSpec(
        "goals",
        "attainment_policy",
        _("Attainment thresholds"),
        "kpis.AttainmentPolicy",
        "plan",
        (Col("at_risk_below"), Col("off_track_below")),
        row_key=_single,
        row_label=lambda _o: str(_("Attainment thresholds")),
    ),
    # 2. Channel strategy
    TableSpec(
        "channels",
        "channels",
        _("Channels"),
        "channels.Channel",
        "plan",
        (
            Col("name"),
            Col("name_zh"),
            Col("platform"),
            Col("family"),
            Col("group"),
            Col("formats"),
            Col("is_active"),
            Col("roi_layer"),
        ),
        row_key=lambda c: c.code,
        row_label=lambda c: c.display_name,
        order=("sort_order", "code"),
    ),
    TableSpec(
        "channels",
        "channel_plans",
        _("Channel plans by quarter"),
        "channels.ChannelPlan",
        "channel__plan",
        (
            Col("channel", get=lambda p: p.channel.code),
            Col("quarter"),
            Col("role"),
            Col("formats"),
            Col("audience"),
            Col("budget", kind="money"),
            _OWNER,
            Col("notes"),
            Col("kpis", many="code"),
        ),
        row_key=lambda p: f"{p.channel.code}:Q{p.quarter}",
        row_label=lambda p: f"{p.channel.display_name} · Q{p.quarter}",
        select=("channel", "owner"),
        order=("channel__sort_order", "channel__code", "quarter"),
    ),
    TableSpec(
        "channels",
        "creators",
        _("KOL/KOC roster"),
        "channels.Creator",
        "plan",
        (
            Col("name"),
            Col("platform"),
            Col("profile_url"),
            Col("followers"),
            Col("tier"),
            Col("category"),
            Col("fee", kind="money"),
            Col("contact_owner", get=lambda c: _username(c.contact_owner)),
        ),
        row_key=lambda c: f"{c.platform}:{c.name}",
        row_label=lambda c: c.name,
        select=("contact_owner",),
        order=("platform", "name"),
    ),
    TableSpec(
        "channels",
        "cooperations",
        _("Creator cooperations"),
        "channels.Cooperation",
        "creator__plan",
        (
            Col("creator", get=lambda c: c.creator.name),
            Col("campaign"),
            Col("date"),
            Col("deliverables"),
            Col("fee", kind="money"),
        ),
        row_key=lambda c: f"{c.creator.platform}:{c.creator.name}:{c.date}:{c.campaign}",
        row_label=lambda c: f"{c.creator.name} · {c.campaign or c.date}",
        select=("creator",),
        order=("date", "pk"),
    ),
    # 3. Content matrix
    TableSpec(
        "content",
        "campaigns",
        _("Campaigns"),
        "content.Campaign",
        "plan",
        (
            Col("name"),
            Col("theme"),
            Col("festival"),
            Col("start"),
            Col("end"),
            Col("audience"),
            _OWNER,
            Col("budget", kind="money"),
            Col("status"),
            Col("key_message"),
            Col("notes"),
            Col("roi_layer"),
            Col("channels", many="code"),
        ),
        row_key=lambda c: c.code,
        row_label=lambda c: c.name,
        select=("owner",),
        order=("start", "code"),
    ),
    TableSpec(
        "content",
        "interaction_mechanisms",
        _("Interaction mechanisms"),
        "content.InteractionMechanism",
        "plan",
        (
            Col("kind"),
            Col("name"),
            Col("goal"),
            Col("indicators"),
            _OWNER,
            Col("channel", get=lambda m: m.channel.code if m.channel else None),
            Col("start"),
            Col("end"),
            Col("topic"),
            Col("reward"),
            Col("boost_rules"),
            Col("sla_hours"),
            Col("ai_first"),
            Col("response_hours"),
            Col("level"),
            Col("members"),
            Col("activities"),
            Col("points_rules"),
            Col("badges"),
            Col("levels"),
        ),
        row_key=lambda m: f"{m.kind}:{m.name}",
        row_label=lambda m: m.name,
        select=("owner", "channel"),
    ),
    TableSpec(
        "content",
        "brand_standard",
        _("Brand standard"),
        "content.BrandStandard",
        "plan",
        (
            Col("colours"),
            Col("fonts"),
            Col("graphic_elements"),
            Col("vi_review_required"),
            Col("notes"),
        ),
        row_key=_single,
        row_label=lambda _o: str(_("Brand standard")),
    ),
    # 4. Data monitoring
    TableSpec(
        "monitoring",
        "alert_rules",
        _("Alert rules"),
        "monitoring.AlertRule",
        "plan",
        (
            Col("name"),
            Col("metric"),
            Col("channel", get=lambda r: r.channel.code if r.channel else None),
            Col("kind"),
            Col("lower"),
            Col("upper"),
            Col("change_pct"),
            Col("baseline_days"),
            Col("threshold"),
            Col("severity"),
            Col("is_active"),
            Col("playbook", get=lambda r: r.playbook.title if r.playbook else None),
        ),
        row_key=lambda r: r.name,
        row_label=lambda r: r.name,
        select=("channel", "playbook"),
    ),
    TableSpec(
        "monitoring",
        "monitoring_settings",
        _("Monitoring settings"),
        "monitoring.MonitoringSettings",
        "plan",
        (Col("funnel_stages"), Col("grade_weights"), Col("grade_cutoffs"), Col("max_shift")),
        row_key=_single,
        row_label=lambda _o: str(_("Monitoring settings")),
    ),
    TableSpec(
        "monitoring",
        "roi_definition",
        _("ROI definition"),
        "monitoring.RoiDefinition",
        "plan",
        (
            Col("basis"),
            Col("gross_margin", kind="percent"),
            Col("include_production"),
            Col("include_kol_fees"),
            Col("attribution_model"),
            Col("roi_floor", kind="percent"),
            Col("ltv_horizon_months"),
            Col("discount_rate", kind="percent"),
        ),
        row_key=_single,
        row_label=lambda _o: str(_("ROI definition")),
    ),
    # 5. Resources and budget
    TableSpec(
        "budget",
        "budget",
        pgettext_lazy("plan section table", "Budget"),
        "budget.Budget",
        "plan",
        (
            Col("total", kind="money"),
            Col("reserve_pct"),
            Col("allocated", kind="money"),
            Col("reserve_balance", kind="money"),
            Col("unallocated", kind="money"),
            Col("max_move_pct"),
            Col("max_review_pct"),
            Col("q1_share"),
            Col("q2_share"),
            Col("q3_share"),
            Col("q4_share"),
        ),
        row_key=_single,
        row_label=lambda _o: str(pgettext_lazy("plan section table", "Budget")),
    ),
    TableSpec(
        "budget",
        "budget_lines",
        _("Budget lines"),
        "budget.BudgetLine",
        "plan",
        (
            Col("channel", get=lambda b: b.channel.code),
            Col("campaign", get=lambda b: b.campaign.code if b.campaign else None),
            Col("quarter"),
            Col("planned", kind="money"),
            Col("note"),
        ),
        row_key=lambda b: f"{b.channel.code}:{b.campaign.code if b.campaign else '-'}:Q{b.quarter}",
        row_label=lambda b: " · ".join(
            x
            for x in (b.channel.display_name, b.campaign.name if b.campaign else "", _q(b.quarter))
            if x
        ),
        select=("channel", "campaign"),
        order=("channel__sort_order", "channel__code", "campaign__code", "quarter"),
    ),
    TableSpec(
        "budget",
        "approved_requests",
        _("Approved budget requests"),
        "budget.BudgetRequest",
        "plan",
        (
            Col("title"),
            Col("channel", get=lambda r: r.channel.code),
            Col("campaign", get=lambda r: r.campaign.code if r.campaign else None),
            Col("quarter"),
            Col("amount", kind="money"),
            Col("expected_users"),
            Col("expected_revenue", kind="money"),
            Col("expected_roi", kind="percent"),
            Col("from_reserve", kind="money"),
        ),
        row_key=lambda r: (
            f"{r.channel.code}:{r.campaign.code if r.campaign else '-'}:Q{r.quarter}:{r.title}"
        ),
        row_label=lambda r: r.title,
        select=("channel", "campaign"),
        extra_filter={"status": "approved"},
        order=("quarter", "pk"),
    ),
    # 6. Execution
    TableSpec(
        "execution",
        "milestones",
        _("Quarterly milestones"),
        "planner.Milestone",
        "plan",
        (
            Col("quarter"),
            Col("title"),
            Col("description"),
            _OWNER,
            Col("start"),
            Col("due"),
            Col("entered_progress"),
            Col("override_status"),
            Col("kpis", many="code"),
        ),
        row_key=lambda m: f"Q{m.quarter}:{m.title}",
        row_label=lambda m: m.title,
        select=("owner",),
        order=("quarter", "sort_order", "pk"),
    ),
    TableSpec(
        "execution",
        "activities",
        _("Key activities"),
        "planner.Activity",
        "plan",
        (
            Col("title"),
            Col("kind"),
            Col("start"),
            Col("end"),
            Col("campaign", get=lambda a: a.campaign.code if a.campaign else None),
            _OWNER,
            Col("status"),
            Col("departments", many="code"),
            Col("suppliers", many="name"),
            Col("depends_on", many="title"),
        ),
        row_key=lambda a: f"{a.title}:{a.start}",
        row_label=lambda a: a.title,
        select=("campaign", "owner"),
        order=("start", "title", "pk"),
    ),
    TableSpec(
        "execution",
        "response_pools",
        _("Rapid-response pools"),
        "planner.ResponsePool",
        "plan",
        (
            Col("level"),
            Col("amount", kind="money"),
            Col("headcount"),
            Col("people"),
            Col("authorise_role"),
            Col("authorisers", many="username"),
        ),
        row_key=lambda p: f"L{p.level}",
        row_label=lambda p: str(_level_label(p.level)),
        order=("level",),
    ),
    TableSpec(
        "execution",
        "risks",
        _("Risk register"),
        "planner.Risk",
        "plan",
        (
            Col("title"),
            Col("category"),
            Col("impact"),
            Col("likelihood"),
            _OWNER,
            Col("response"),
            Col("triggers"),
            Col("trigger_metrics"),
            Col("status"),
            Col("playbook", get=lambda r: r.playbook.title if r.playbook else None),
        ),
        row_key=lambda r: r.title,
        row_label=lambda r: r.title,
        select=("owner", "playbook"),
    ),
    TableSpec(
        "execution",
        "playbooks",
        _("Crisis playbooks"),
        "planner.Playbook",
        "plan",
        (
            Col("title"),
            Col("scenario"),
            Col("statement_zh"),
            Col("statement_en"),
            Col("legal_contact"),
            Col("pr_contact"),
        ),
        row_key=lambda p: p.title,
        row_label=lambda p: p.title,
    ),
    TableSpec(
        "execution",
        "escalation_steps",
        _("Escalation paths"),
        "planner.EscalationStep",
        "playbook__plan",
        (
            Col("playbook", get=lambda s: s.playbook.title),
            Col("order"),
            Col("role"),
            Col("person"),
            Col("response_minutes"),
        ),
        row_key=lambda s: f"{s.playbook.title}:{s.order}",
        row_label=lambda s: f"{s.playbook.title} · {s.order}",
        select=("playbook",),
        order=("playbook__title", "order"),
    ),
)


@cache
def _specs_by_key() -> dict[tuple[str, str], TableSpec]:
    return {(s.section, s.key): s for s in SPECS}


def _section_titles() -> dict[str, str | Promise]:
    from planner.sections import SECTIONS

    return {s.key: s.title for s in SECTIONS}


def _section_keys() -> list[str]:
    from planner.sections import SECTIONS

    return [s.key for s in SECTIONS]


def spec(section: str, table: str) -> TableSpec | None:
    return _specs_by_key().get((section, table))


# ---------------------------------------------------------------------------
# Reading


def _read(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _dedupe(keys: Iterable[str]) -> list[str]:
    """Natural keys made unique in order: a second "Launch" becomes "Launch #2"."""
    seen: dict[str, int] = {}
    result = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        result.append(key if seen[key] == 1 else f"{key} #{seen[key]}")
    return result


def table_queryset(spec: TableSpec, plan: Plan) -> models.QuerySet[Any]:
    qs = spec.model_class()._default_manager.filter(**{spec.plan_filter: plan})
    if spec.extra_filter:
        qs = qs.filter(**spec.extra_filter)
    if spec.select:
        qs = qs.select_related(*spec.select)
    many = [c.key for c in spec.cols if c.many]
    if many:
        qs = qs.prefetch_related(*many)
    return qs.order_by(*spec.order)


def collect_table(spec: TableSpec, plan: Plan) -> Table:
    columns = spec.columns()
    objects = list(table_queryset(spec, plan))
    keys = _dedupe(spec.row_key(o) for o in objects)
    rows = []
    for obj, key in zip(objects, keys, strict=True):
        values: dict[str, Value] = {}
        for col, column in zip(spec.cols, columns, strict=True):
            if col.many:
                members = sorted(str(getattr(m, col.many)) for m in getattr(obj, col.key).all())
                values[col.key] = ", ".join(members)
            elif col.get is not None:
                values[col.key] = to_value(col.get(obj), column.kind)
            else:
                values[col.key] = to_value(_read(obj, col.path or col.key), column.kind)
        unit = str(spec.row_unit(obj)) if spec.row_unit is not None else ""
        rows.append(Row(key, str(spec.row_label(obj)), values, obj.pk, unit))
    return Table(spec.key, spec.title, columns, rows)


def collect(plan: Plan) -> PlanData:
    """The plan's planning content now, section by section (a constant number of queries)."""
    titles = _section_titles()
    sections = []
    for key in _section_keys():
        tables = [collect_table(s, plan) for s in SPECS if s.section == key]
        sections.append(Section(key, titles[key], tables))
    return PlanData(
        plan_id=plan.pk,
        name=plan.name,
        year=plan.year,
        currency=plan.currency,
        status=plan.status,
        description=plan.description,
        sections=sections,
    )
