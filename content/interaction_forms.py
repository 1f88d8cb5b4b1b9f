"""Forms of the user interaction pages: they parse what people type, the service
(``content.services.mechanism_*``) checks the rules and saves.

List-like fields are edited as text, one item a line:

* indicators — ``name | target | actual | unit`` (target, actual and unit may be left out);
* measured response times — hours separated by commas, spaces or new lines;
* badges — one a line;
* levels — ``name | points needed | perks``.

A line that cannot be read is reported with its line number, and nothing is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from content.models import InteractionMechanism
from content.services import MECHANISM_COMMON, MECHANISM_EDITABLE, MECHANISM_FIELDS
from planner.forms import ServiceForm, members
from planner.models import Plan

# "|" or the full-width "｜" a Chinese keyboard types.
CELL_SPLIT = re.compile(r"\s*[|｜]\s*")
# Commas (also "，" and "、"), semicolons and any white space separate response times.
SAMPLE_SPLIT = re.compile(r"[\s,，、;；]+")
# The order fields are shown in (the rest keep the model's order), and which take a whole row.
ORDER = (
    "name",
    "owner",
    "goal",
    "topic",
    "level",
    "channel",
    "start",
    "end",
    "sla_hours",
    "ai_first",
    "members",
)
WIDE = frozenset(
    {"goal", "reward", "boost_rules", "response_hours", "activities", "levels", "indicators"}
)


def number_text(value: Any) -> str:
    """A stored number as a person would type it back: ``5000.0`` → ``5000``, ``2.50`` → ``2.5``."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def indicators_text(rows: Iterable[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        cells = [
            str(row.get("name", "")),
            number_text(row.get("target")),
            number_text(row.get("actual")),
            str(row.get("unit") or ""),
        ]
        while len(cells) > 1 and not cells[-1]:
            cells.pop()
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def samples_text(values: Iterable[Any]) -> str:
    return ", ".join(number_text(v) for v in values)


def badges_text(values: Iterable[str]) -> str:
    return "\n".join(values)


def levels_text(rows: Iterable[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        cells = [
            str(row.get("name", "")),
            str(row.get("min_points", "")),
            str(row.get("perks") or ""),
        ]
        if not cells[-1]:
            cells.pop()
        lines.append(" | ".join(cells))
    return "\n".join(lines)


LIST_TEXT: dict[str, Callable[[Any], str]] = {
    "indicators": indicators_text,
    "response_hours": samples_text,
    "badges": badges_text,
    "levels": levels_text,
}


def _lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of ``text`` with their line numbers (1-based)."""
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _cells(line: str, count: int) -> list[str]:
    """A line split at "|" into ``count`` cells: missing ones are empty, the last keeps any
    further "|"."""
    cells = CELL_SPLIT.split(line, maxsplit=count - 1)
    return cells + [""] * (count - len(cells))


def _decimal(text: str) -> Decimal | None:
    """A typed number; thousands separators are allowed (``5,000``). None if unreadable."""
    cleaned = text.replace(",", "").replace("，", "").replace(" ", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_indicators(text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, line in _lines(text):
        name, target, actual, unit = _cells(line, 4)
        if not name:
            problems.append(str(_("Line %(n)s: start with the indicator's name.") % {"n": n}))
            continue
        row: dict[str, Any] = {"name": name, "unit": unit}
        for key, label, raw in (("target", _("target"), target), ("actual", _("actual"), actual)):
            if not raw:
                row[key] = None
                continue
            number = _decimal(raw)
            if number is None:
                problems.append(
                    str(
                        _("Line %(n)s: the %(what)s “%(value)s” is not a number.")
                        % {"n": n, "what": label, "value": raw}
                    )
                )
                continue
            row[key] = float(number)
        rows.append(row)
    if problems:
        raise forms.ValidationError(problems)
    return rows


def parse_samples(text: str) -> list[float]:
    values: list[float] = []
    problems: list[str] = []
    for n, line in _lines(text):
        for raw in SAMPLE_SPLIT.split(line):
            if not raw:
                continue
            try:
                number = Decimal(raw)
            except InvalidOperation:
                number = Decimal(-1)
            if not number.is_finite() or number < 0:
                problems.append(
                    str(
                        _("Line %(n)s: “%(value)s” is not a number of hours (0 or more).")
                        % {"n": n, "value": raw}
                    )
                )
                continue
            values.append(float(number))
    if problems:
        raise forms.ValidationError(problems)
    return values


def parse_badges(text: str) -> list[str]:
    return [line for _n, line in _lines(text)]


def parse_levels(text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for n, line in _lines(text):
        name, points, perks = _cells(line, 3)
        number = _decimal(points) if points else None
        if not name or number is None or number < 0 or number != number.to_integral_value():
            problems.append(
                str(
                    _(
                        "Line %(n)s: write it as “name | points needed | perks”, "
                        "the points a whole number (0 or more)."
                    )
                    % {"n": n}
                )
            )
            continue
        rows.append({"name": name, "min_points": int(number), "perks": perks})
    if problems:
        raise forms.ValidationError(problems)
    return rows


class ListField(forms.CharField):
    """A list edited as text; ``parse`` turns the text into the list the service takes."""

    widget = forms.Textarea

    def __init__(self, *, parse: Any, rows: int = 4, **kwargs: Any) -> None:
        self.parse = parse
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"rows": rows, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        return self.parse(str(value or ""))


class MechanismForm(ServiceForm):
    """The fields of one kind of mechanism: the common ones and that kind's own.

    Parses only; ``content.services.mechanism_create/update`` validates and saves.
    """

    indicators = ListField(
        parse=parse_indicators,
        label=_("Indicators"),
        help_text=_(
            "One a line: name | target | actual | unit. E.g. Entries | 5000 | 1200 | videos"
        ),
    )
    response_hours = ListField(
        parse=parse_samples,
        rows=3,
        label=_("Measured response times (hours)"),
        help_text=_("Numbers of hours separated by commas, spaces or new lines."),
    )
    badges = ListField(parse=parse_badges, label=_("Badges"), help_text=_("One badge a line."))
    levels = ListField(
        parse=parse_levels,
        label=_("Levels"),
        help_text=_(
            "One a line, lowest first: name | points needed | perks. "
            "E.g. Silver | 500 | Free shipping"
        ),
    )

    class Meta:
        model = InteractionMechanism
        fields = [name for name in MECHANISM_EDITABLE if name != "kind"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "boost_rules": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.Textarea(attrs={"rows": 3}),
            "points_rules": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"channel": _("Platform")}

    def __init__(self, *args: Any, plan: Plan, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        own = set(MECHANISM_COMMON) | set(MECHANISM_FIELDS[kind])
        for name in list(self.fields):
            if name != "version" and name not in own:
                del self.fields[name]
        if "owner" in self.fields:
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)
        if "channel" in self.fields:
            cast(forms.ModelChoiceField, self.fields["channel"]).queryset = Channel.objects.filter(
                plan=plan
            )
        self.order_fields(
            [*ORDER, *(n for n in self.fields if n not in ORDER and n != "indicators")]
        )
        if self.instance.pk and not self.is_bound:
            for name, to_text in LIST_TEXT.items():
                if name in self.fields:
                    self.initial[name] = to_text(getattr(self.instance, name))
            self.initial.setdefault("version", self.instance.version)

    def layout(self) -> list[tuple[forms.BoundField, bool]]:
        """The visible fields in order, each with whether it takes a whole row."""
        return [(field, field.name in WIDE) for field in self.visible_fields()]
