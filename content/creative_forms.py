"""Forms of the creative standards, assets and licences pages.

They only parse what a person typed into the values the services take; the
services (content/services.py) validate and save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from content import services
from content.models import (
    Asset,
    BrandStandard,
    Campaign,
    ContentLayer,
    ElementKind,
    Licence,
    ReviewStatus,
    SizeSpec,
)
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan

HEX_TOKEN = re.compile(r"^#?([0-9a-fA-F]{6})$")
NAME_SEPARATORS = " \t:：,，-–—="
MAX_ELEMENT_ROWS = 60


class _CreativeForm(ServiceForm):
    """The service says what is missing, in its own words (e.g. "Give the licensor")."""

    # 0 or empty: nothing saved yet.
    version = VersionField(min_value=0, required=False)
    required_by_service = True


# --- the brand standard ----------------------------------------------------------------------


def colours_text(colours: Iterable[dict[str, str]]) -> str:
    return "\n".join(f"{c.get('name', '')} {c.get('hex', '')}".strip() for c in colours)


def parse_colours(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """``"Lumi red #C8102E"`` per line → colours, and a problem per bad line."""
    colours: list[dict[str, str]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        tokens = line.split()
        hex_value, name = "", ""
        for index in (-1, 0):
            match = HEX_TOKEN.match(tokens[index].strip(NAME_SEPARATORS))
            if match:
                hex_value = "#" + match.group(1).upper()
                rest = tokens[:-1] if index == -1 else tokens[1:]
                name = " ".join(rest).strip(NAME_SEPARATORS)
                break
        if not hex_value:
            problems.append(
                gettext(
                    "Line %(n)s (“%(line)s”): end it with a hex colour of six digits, like #C8102E."
                )
                % {"n": number, "line": line}
            )
        elif not name:
            problems.append(
                gettext("Line %(n)s (“%(line)s”): give the colour a name before its hex value.")
                % {"n": number, "line": line}
            )
        else:
            colours.append({"name": name, "hex": hex_value})
    return colours, problems


class BrandForm(forms.Form):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    colours = forms.CharField(
        label=_("Brand colours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Lumi red #C8102E")}),
        help_text=_("One colour a line: its name, then its hex value, e.g. Lumi red #C8102E."),
    )
    fonts = forms.CharField(
        label=_("Brand fonts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Source Han Sans SC"}),
        help_text=_("One font a line."),
    )
    graphic_elements = forms.CharField(
        label=_("Graphic elements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Logo use, patterns, mascots, clear space…"),
    )
    vi_review_required = forms.BooleanField(
        label=_("VI review required"),
        required=False,
        help_text=_("Assets need a passed VI (visual identity) review before approval."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    @classmethod
    def for_standard(cls, standard: BrandStandard | None, **kwargs: Any) -> BrandForm:
        if standard is None:
            return cls(initial={"version": 0, "vi_review_required": True}, **kwargs)
        return cls(
            initial={
                "version": standard.version,
                "colours": colours_text(standard.colours),
                "fonts": "\n".join(standard.fonts),
                "graphic_elements": standard.graphic_elements,
                "vi_review_required": standard.vi_review_required,
                "notes": standard.notes,
            },
            **kwargs,
        )

    def clean_colours(self) -> list[dict[str, str]]:
        colours, problems = parse_colours(self.cleaned_data.get("colours") or "")
        if problems:
            raise forms.ValidationError(problems)
        return colours

    def clean_fonts(self) -> list[str]:
        text = self.cleaned_data.get("fonts") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.BRAND_EDITABLE}


# --- size specs ------------------------------------------------------------------------------


class _ChannelField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class SpecForm(_CreativeForm):
    class Meta:
        model = SizeSpec
        fields = list(services.SPEC_EDITABLE)
        field_classes = {"channel": _ChannelField}
        widgets = {"notes": forms.TextInput()}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = cast(forms.ModelChoiceField, self.fields["channel"])
        channel.queryset = Channel.objects.filter(plan=plan).order_by("sort_order", "name")
        channel.empty_label = gettext("Any channel")


# --- licences --------------------------------------------------------------------------------


class LicenceForm(_CreativeForm):
    class Meta:
        model = Licence
        fields = list(services.LICENCE_EDITABLE)
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


def licence_label(licence: Licence, today: date) -> str:
    """How a licence reads in an element's select: what, from whom, until when."""
    if licence.expires is None:
        until = gettext("perpetual")
    elif licence.expires < today:
        until = gettext("expired %(date)s") % {"date": date_format(licence.expires)}
    else:
        until = gettext("until %(date)s") % {"date": date_format(licence.expires)}
    return f"{licence.name} ({until}) · {licence.source}"


# --- assets ----------------------------------------------------------------------------------


class AssetForm(_CreativeForm):
    layers = forms.MultipleChoiceField(
        label=_("Content layers covered"),
        choices=ContentLayer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every asset should carry a selling point, an emotional story and a call to action."
        ),
    )

    class Meta:
        model = Asset
        fields = [name for name in services.ASSET_EDITABLE if name != "elements"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        specs: Sequence[SizeSpec],
        campaigns: Sequence[Campaign] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        spec = cast(forms.ModelChoiceField, self.fields["spec"])
        spec.queryset = SizeSpec.objects.filter(plan=plan)
        spec.choices = [("", "—")] + [(s.pk, spec_label(s)) for s in specs]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)
        status = cast(forms.ChoiceField, self.fields["review_status"])
        if creating:
            allowed = [v for v in ReviewStatus.values if v != ReviewStatus.PUBLISHED]
        else:
            # Only the steps the review flow allows from where the asset is now.
            current = self.instance.review_status
            allowed = [
                v
                for v in ReviewStatus.values
                if v == current or v in services.ASSET_FLOW.get(current, frozenset())
            ]
        status.choices = [(v, ReviewStatus(v).label) for v in allowed]
        if campaigns is not None:
            self.fields["campaign"] = forms.ModelChoiceField(
                label=_("Campaign"),
                queryset=Campaign.objects.filter(plan=plan),
                empty_label=None,
            )
            field = cast(forms.ModelChoiceField, self.fields["campaign"])
            field.choices = [(c.pk, c.name) for c in campaigns]
            self.order_fields(["campaign", *self.fields])


COMMON_RATIOS = ((1, 1), (4, 3), (3, 2), (16, 9), (16, 10), (21, 9), (2, 1), (3, 1), (5, 4))
RATIO_TOLERANCE = 0.015


def ratio_text(spec: SizeSpec) -> str:
    """The aspect ratio as people say it: 9:16 exactly, ≈ 3:4 for 1242×1660,
    2.35:1 when no common ratio is near."""
    exact = spec.aspect_ratio
    if not exact or not spec.width or not spec.height:
        return ""
    w, h = (int(part) for part in exact.split(":"))
    if max(w, h) <= 32:
        return exact
    value = spec.width / spec.height
    for a, b in COMMON_RATIOS:
        for x, y in ((a, b), (b, a)):
            if abs(value - x / y) / (x / y) <= RATIO_TOLERANCE:
                return f"≈ {x}:{y}"
    if value >= 1:
        return f"{value:.2f}:1"
    return f"1:{1 / value:.2f}"


def spec_label(spec: SizeSpec) -> str:
    where = spec.channel.display_name if spec.channel else gettext("Any channel")
    size = f" · {spec.width}×{spec.height}" if spec.width and spec.height else ""
    ratio = f" ({ratio_text(spec)})" if spec.aspect_ratio else ""
    return f"{where} · {spec.name}{size}{ratio}"


class ElementForm(forms.Form):
    """One font, image, music or footage element of an asset; an empty row is skipped."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *ElementKind.choices], required=False
    )
    name = forms.CharField(label=_("Element"), max_length=160, required=False)
    licence = forms.TypedChoiceField(
        label=_("Licence"), required=False, coerce=int, empty_value=None
    )
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args: Any, licence_choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["licence"]).choices = licence_choices

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("kind") or data.get("name") or data.get("licence"))


class BaseElementFormSet(forms.BaseFormSet):
    def __init__(
        self,
        *args: Any,
        licences: Sequence[Licence],
        today: date,
        **kwargs: Any,
    ) -> None:
        self.licences = {licence.pk: licence for licence in licences}
        # Built once for every row: the select lists the plan's licences with their expiry.
        self.licence_choices: list[tuple[Any, str]] = [("", gettext("— no licence —"))] + [
            (licence.pk, licence_label(licence, today)) for licence in licences
        ]
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "licence_choices": self.licence_choices}

    def elements(self) -> list[dict[str, Any]]:
        """The rows to keep, as the service takes them."""
        rows = []
        for form in self.forms:
            if not form.is_valid() or form.is_blank or form.cleaned_data.get("remove"):
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "kind": data.get("kind") or "",
                    "name": data.get("name") or "",
                    "licence": self.licences.get(data["licence"]) if data.get("licence") else None,
                }
            )
        return rows


ElementFormSet: Any = forms.formset_factory(
    ElementForm,
    formset=BaseElementFormSet,
    extra=3,
    max_num=MAX_ELEMENT_ROWS,
    validate_max=True,
)


def element_formset(
    data: Any = None,
    *,
    asset: Asset | None,
    elements: Sequence[Any] = (),
    licences: Sequence[Licence],
    today: date,
) -> BaseElementFormSet:
    prefix = f"el{asset.pk}" if asset is not None else "el-new"
    if data is not None:
        return cast(
            BaseElementFormSet,
            ElementFormSet(data, prefix=prefix, licences=licences, today=today),
        )
    initial = [{"kind": e.kind, "name": e.name, "licence": e.licence_id} for e in elements]
    return cast(
        BaseElementFormSet,
        ElementFormSet(initial=initial, prefix=prefix, licences=licences, today=today),
    )
