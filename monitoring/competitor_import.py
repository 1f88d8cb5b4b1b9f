"""CSV imports of competitor figures: traffic-source shares and sentiment / voice volume.

Two formats (header names fixed, order free, extra columns refused):

* traffic: ``date,competitor,source,share`` — one row per brand, day and traffic source;
  the rows of a brand and day form one split, whose shares add up to at most 1;
* voice: ``month,competitor,mentions,positive,neutral,negative`` — one row per brand and
  month (``YYYY-MM``); positive + neutral + negative = 1.

``competitor`` is a competitor's name (any case) or ``us`` for our own brand. The file is
checked as a whole: any problem refuses it, every problem is reported with its row
(the header is row 1), column and reason, and nothing is written. A figure for a brand
and day (month) that exists already is replaced.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.analytics import competition
from monitoring.competitor_services import MAX_TRAFFIC_SOURCES, SUM_DIGITS
from monitoring.competitors import Competitor, CompetitorObservation, ObservationKind
from planner.editing import plan_for_execution
from planner.models import Plan

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_PROBLEMS = 200

FORMATS: dict[str, tuple[str, ...]] = {
    "traffic": ("date", "competitor", "source", "share"),
    "voice": ("month", "competitor", "mentions", "positive", "neutral", "negative"),
}
IMPORT_KINDS = [(key, key) for key in FORMATS]
FORMAT_LABELS = {
    "traffic": gettext_lazy("Traffic-source shares"),
    "voice": gettext_lazy("Sentiment and voice volume"),
}


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str


@dataclass
class Outcome:
    kind: str
    rows: int = 0
    created: int = 0
    replaced: int = 0
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    pass


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _Refused(_("The file is not text in UTF-8 or GBK."))


def _read(raw: bytes, kind: str, found: _Collector) -> list[tuple[int, dict[str, str]]]:
    if len(raw) > MAX_BYTES:
        raise _Refused(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES >> 20})
    if b"\x00" in raw[:4096]:
        raise _Refused(_("This is not a CSV file (it contains binary data)."))
    text = _decode(raw)
    if not text.strip():
        raise _Refused(_("The file is empty."))
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise _Refused(_("The file is empty.")) from None
    expected = FORMATS[kind]
    for name in sorted({h for h in header if header.count(h) > 1}):
        found.add(1, name, _("The column appears more than once."))
    for name in header:
        if name not in expected:
            found.add(
                1,
                name or "?",
                _("Unknown column; the columns are: %(columns)s.")
                % {"columns": ", ".join(expected)},
            )
    for name in expected:
        if name not in header:
            found.add(1, name, _("The column is missing."))
    if found.problems:
        raise _Refused()
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                found.add(
                    number,
                    None,
                    _("The row has %(found)s values; the header has %(expected)s.")
                    % {"found": len(values), "expected": len(header)},
                )
                continue
            rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
            if len(rows) > MAX_ROWS:
                raise _Refused(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    except csv.Error as error:
        raise _Refused(_("The file is not valid CSV: %(error)s") % {"error": error}) from None
    if not rows and not found.problems:
        raise _Refused(_("The file has a header but no rows."))
    return rows


def _brand(
    row: int, value: str, competitors: dict[str, Competitor], found: _Collector
) -> tuple[bool, Competitor | None]:
    """(known, competitor): ``us`` is (True, None)."""
    if value.casefold() == competition.US:
        return True, None
    competitor = competitors.get(value.casefold())
    if competitor is None:
        found.add(
            row,
            "competitor",
            _("“%(name)s” is not a competitor of this plan (or “us” for our brand).")
            % {"name": value},
        )
        return False, None
    return True, competitor


def _share(row: int, column: str, value: str, found: _Collector) -> Decimal | None:
    try:
        number = Decimal(value.replace("%", "")) / (100 if value.endswith("%") else 1)
    except (InvalidOperation, ValueError):
        found.add(row, column, _("“%(value)s” is not a number.") % {"value": value})
        return None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        found.add(
            row, column, _("%(value)s is not a share from 0 to 1 (or 0–100%%).") % {"value": value}
        )
        return None
    return number


def _date(row: int, column: str, value: str, plan: Plan, found: _Collector, *, month: bool) -> Any:
    try:
        day = date.fromisoformat(f"{value}-01" if month else value)
        if month and len(value) != 7:
            raise ValueError
    except ValueError:
        found.add(
            row,
            column,
            (
                _("“%(value)s” is not a month written YYYY-MM.")
                if month
                else _("“%(value)s” is not a date written YYYY-MM-DD.")
            )
            % {"value": value},
        )
        return None
    if day.year != plan.year:
        found.add(
            row,
            column,
            _("%(value)s is outside the plan year %(year)s.") % {"value": value, "year": plan.year},
        )
        return None
    return day


Key = tuple[int, date]  # (competitor id or 0, day)


def _traffic(
    plan: Plan,
    rows: list[tuple[int, dict[str, str]]],
    competitors: dict[str, Competitor],
    found: _Collector,
) -> dict[Key, tuple[Competitor | None, dict[str, Decimal], list[int]]]:
    groups: dict[Key, tuple[Competitor | None, dict[str, Decimal], list[int]]] = {}
    for number, values in rows:
        day = _date(number, "date", values["date"], plan, found, month=False)
        known, competitor = _brand(number, values["competitor"], competitors, found)
        source = values["source"].lower()
        if not source or len(source) > 40:
            found.add(number, "source", _("Name the traffic source (up to 40 characters)."))
        share = _share(number, "share", values["share"], found)
        if day is None or not known or share is None or not source or len(source) > 40:
            continue
        key = (competitor.pk if competitor else 0, day)
        _c, shares, numbers = groups.setdefault(key, (competitor, {}, []))
        if source in shares:
            found.add(
                number,
                "source",
                _("“%(source)s” for this brand and date is already on row %(row)s.")
                % {"source": source, "row": numbers[list(shares).index(source)]},
            )
            continue
        shares[source] = share
        numbers.append(number)
    for (_pk, day), (competitor, shares, numbers) in groups.items():
        brand = competitor.name if competitor else competition.US
        if len(shares) > MAX_TRAFFIC_SOURCES:
            found.add(
                numbers[-1], "source", _("Give at most %(n)s sources.") % {"n": MAX_TRAFFIC_SOURCES}
            )
        if competition.split_problem(shares, total=None) == "over":
            found.add(
                numbers[-1],
                "share",
                _(
                    "The shares of %(brand)s on %(day)s (rows %(rows)s) add up to %(sum)s; "
                    "together they can be at most 1."
                )
                % {
                    "brand": brand,
                    "day": day.isoformat(),
                    "rows": ", ".join(str(n) for n in numbers),
                    "sum": f"{sum(shares.values(), Decimal(0)):.{SUM_DIGITS}f}",
                },
            )
    return groups


def _voice(
    plan: Plan,
    rows: list[tuple[int, dict[str, str]]],
    competitors: dict[str, Competitor],
    found: _Collector,
) -> dict[Key, tuple[Competitor | None, dict[str, Any], int]]:
    figures: dict[Key, tuple[Competitor | None, dict[str, Any], int]] = {}
    for number, values in rows:
        month = _date(number, "month", values["month"], plan, found, month=True)
        known, competitor = _brand(number, values["competitor"], competitors, found)
        raw = values["mentions"].replace(",", "")
        mentions = int(raw) if raw.isdigit() else None
        if mentions is None:
            found.add(
                number,
                "mentions",
                _("“%(value)s” is not a whole number of mentions (0 or more).")
                % {"value": values["mentions"]},
            )
        shares = {
            name: _share(number, name, values[name], found)
            for name in ("positive", "neutral", "negative")
        }
        complete = {k: v for k, v in shares.items() if v is not None}
        if len(complete) == 3 and competition.split_problem(complete, total=Decimal(1)) == "sum":
            found.add(
                number,
                "negative",
                _("Positive, neutral and negative add up to %(sum)s; they must add up to 1.")
                % {"sum": f"{sum(complete.values(), Decimal(0)):.{SUM_DIGITS}f}"},
            )
            continue
        if month is None or not known or mentions is None or len(complete) != 3:
            continue
        key = (competitor.pk if competitor else 0, month)
        if key in figures:
            found.add(
                number,
                "month",
                _("The figure of this brand for %(month)s is already on row %(row)s.")
                % {"month": values["month"], "row": figures[key][2]},
            )
            continue
        figures[key] = (competitor, {"mentions": mentions, **complete}, number)
    return figures


def import_csv(*, plan: Plan, actor: User, kind: str, raw: bytes, filename: str) -> Outcome:
    """Check the whole file, then write all its figures in one transaction (or none)."""
    if kind not in FORMATS:
        raise ValueError(kind)
    outcome = Outcome(kind)
    found = _Collector()
    with transaction.atomic():
        plan = plan_for_execution(plan_id=plan.pk, actor=actor)
        competitors = {c.name.casefold(): c for c in Competitor.objects.filter(plan=plan)}
        try:
            rows = _read(raw, kind, found)
        except _Refused as refusal:
            if refusal.args:
                found.add(None, None, str(refusal.args[0]))
            outcome.problems, outcome.more_problems = (
                found.problems,
                found.count - len(found.problems),
            )
            return outcome
        outcome.rows = len(rows)
        if kind == "traffic":
            groups = _traffic(plan, rows, competitors, found)
            figures: dict[Key, tuple[Competitor | None, dict[str, Any]]] = {
                key: (
                    c,
                    {"traffic": {s: f"{v.quantize(Decimal('0.0001'))}" for s, v in shares.items()}},
                )
                for key, (c, shares, _numbers) in groups.items()
            }
            obs_kind = ObservationKind.TRAFFIC_SHARE
        else:
            voice = _voice(plan, rows, competitors, found)
            figures = {
                key: (
                    c,
                    {
                        "mentions": values["mentions"],
                        **{
                            k: values[k].quantize(Decimal("0.0001"))
                            for k in ("positive", "neutral", "negative")
                        },
                    },
                )
                for key, (c, values, _n) in voice.items()
            }
            obs_kind = ObservationKind.VOICE
        if found.problems:
            outcome.problems, outcome.more_problems = (
                found.problems,
                found.count - len(found.problems),
            )
            return outcome
        existing = {
            (o.competitor_id or 0, o.observed_on): o
            for o in CompetitorObservation.objects.filter(plan=plan, kind=obs_kind)
        }
        source = _("CSV import: %(file)s") % {"file": filename[:80]}
        new: list[CompetitorObservation] = []
        for key, (competitor, values) in figures.items():
            current = existing.get(key)
            if current is None:
                new.append(
                    CompetitorObservation(
                        plan=plan,
                        competitor=competitor,
                        kind=obs_kind,
                        observed_on=key[1],
                        source=source,
                        recorded_by=actor,
                        **values,
                    )
                )
                continue
            for name, value in values.items():
                setattr(current, name, value)
            current.source, current.recorded_by = source, actor
            current.version += 1
            current._history_user = actor  # type: ignore[attr-defined]
            current.save(update_fields=[*values, "source", "recorded_by", "version", "updated_at"])
            outcome.replaced += 1
        CompetitorObservation.objects.bulk_create(new)
        outcome.created = len(new)
    return outcome


def template_csv(kind: str, plan: Plan, names: list[str]) -> str:
    """A CSV with the header and example rows in the plan's own competitor names."""
    first = names[0] if names else "Competitor"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FORMATS[kind])
    if kind == "traffic":
        for brand in (competition.US, first):
            for source, share in (("search", "0.32"), ("social", "0.28"), ("direct", "0.25")):
                writer.writerow([f"{plan.year}-03-01", brand, source, share])
    else:
        writer.writerow([f"{plan.year}-03", competition.US, 42000, "0.62", "0.30", "0.08"])
        writer.writerow([f"{plan.year}-03", first, 51000, "0.55", "0.33", "0.12"])
    return out.getvalue()
