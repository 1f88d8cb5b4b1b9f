"""Forms of the competitor pages: they parse (percentages into fractions, lists into
lists); monitoring/competitor_services.py validates and saves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from monitoring import competitor_services as services
from monitoring.competitor_import import FORMAT_LABELS
from monitoring.competitors import (
    OURS_KINDS,
    SCREENSHOT_KINDS,
    Competitor,
    CompetitorObservation,
    Feature,
    Impact,
    Level,
    Mechanism,
    ObservationKind,
)
from planner.forms import ServiceForm, VersionField
from planner.models import Plan

#: The traffic sources offered on the form (any other can be added by name).
TRAFFIC_SOURCES = (
    ("search", _("Search")),
    ("social", _("Social")),
    ("direct", _("Direct")),
    ("referral", _("Referral")),
    ("paid", _("Paid")),
    ("other", pgettext_lazy("traffic source", "Other")),
)
HUNDRED = Decimal(100)


def _percent(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=HUNDRED,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )


class CompetitorForm(ServiceForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Competitor
        fields = list(services.COMPETITOR_EDITABLE)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ObservationForm(ServiceForm):
    """One form for every kind; ``fields_shown`` lists what the page draws for the kind."""

    required_by_service = True

    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    seen_on = forms.CharField(
        label=_("Channels where seen"),
        required=False,
        help_text=_("Separated by commas, e.g. Tmall, Douyin live."),
    )
    screenshot = forms.FileField(
        label=_("Screenshot"),
        required=False,
        help_text=_("PNG, JPEG or WebP, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    more_sources = forms.CharField(
        label=_("Other sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line, as name: percent (e.g. “mini-program: 4”)."),
    )
    positive = _percent(_("Positive (%)"))
    neutral = _percent(pgettext_lazy("sentiment", "Neutral (%)"))
    negative = _percent(_("Negative (%)"))

    class Meta:
        model = CompetitorObservation
        fields = [
            "competitor",
            "kind",
            "observed_on",
            "title",
            "text",
            "link",
            "source",
            "promo_start",
            "promo_end",
            "mechanism",
            "mentions",
            "impact",
            "impact_note",
        ]
        widgets = {
            "kind": forms.HiddenInput,
            "observed_on": forms.DateInput(attrs={"type": "date"}),
            "promo_start": forms.DateInput(attrs={"type": "date"}),
            "promo_end": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 3}),
            "impact_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"text": _("What it says or what changed")}

    COMMON = ("competitor", "observed_on", "title", "text", "link", "source")
    BY_KIND: dict[str, tuple[str, ...]] = {
        ObservationKind.PROMOTION: ("promo_start", "promo_end", "mechanism", "seen_on"),
        ObservationKind.AD_CREATIVE: ("screenshot",),
        ObservationKind.LANDING_PAGE: ("screenshot",),
        ObservationKind.TRAFFIC_SHARE: (
            *(f"share_{key}" for key, _label in TRAFFIC_SOURCES),
            "more_sources",
        ),
        ObservationKind.VOICE: ("mentions", "positive", "neutral", "negative"),
        ObservationKind.PRODUCT_UPDATE: ("impact", "impact_note"),
    }

    def __init__(self, *args: Any, plan: Plan, kind: str, **kwargs: Any) -> None:
        instance: CompetitorObservation | None = kwargs.get("instance")
        if instance is not None and instance.pk:
            initial = kwargs.setdefault("initial", {})
            initial.setdefault("version", instance.version)
            initial["seen_on"] = ", ".join(instance.seen_on or [])
            for name in ("positive", "neutral", "negative"):
                value = getattr(instance, name)
                initial[name] = None if value is None else (value * HUNDRED).normalize()
            known = {key for key, _label in TRAFFIC_SOURCES}
            for key, value in (instance.traffic or {}).items():
                if key in known:
                    initial[f"share_{key}"] = (Decimal(value) * HUNDRED).normalize()
            initial["more_sources"] = "\n".join(
                f"{k}: {(Decimal(v) * HUNDRED).normalize()}"
                for k, v in (instance.traffic or {}).items()
                if k not in known
            )
        super().__init__(*args, **kwargs)
        self.kind = kind
        for key, label in TRAFFIC_SOURCES:
            self.fields[f"share_{key}"] = _percent(_("%(source)s (%%)") % {"source": label})
        competitor = cast(forms.ModelChoiceField, self.fields["competitor"])
        competitor.queryset = Competitor.objects.filter(plan=plan).order_by("sort_order", "name")
        competitor.empty_label = (
            _("Us (our brand)") if kind in OURS_KINDS else _("Choose a competitor")
        )
        cast(forms.ChoiceField, self.fields["mechanism"]).choices = [
            ("", "—"),
            *Mechanism.choices,
        ]
        cast(forms.ChoiceField, self.fields["impact"]).choices = [("", "—"), *Impact.choices]
        self.fields["observed_on"].label = (
            _("Month (any day of it)") if kind == ObservationKind.VOICE else _("Date observed")
        )
        if kind not in SCREENSHOT_KINDS:
            del self.fields["screenshot"]

    def fields_shown(self) -> list[forms.BoundField]:
        return [self[name] for name in self.COMMON]

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.BY_KIND.get(self.kind, ()) if name in self.fields]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: data.get(name) for name in ("competitor", "observed_on", "title", "text")
        }
        changes.update(
            kind=self.kind,
            link=data.get("link") or "",
            source=data.get("source") or "",
            text=data.get("text") or "",
            title=data.get("title") or "",
        )
        if self.kind == ObservationKind.PROMOTION:
            changes.update(
                promo_start=data.get("promo_start"),
                promo_end=data.get("promo_end"),
                mechanism=data.get("mechanism") or "",
                seen_on=data.get("seen_on") or "",
            )
        elif self.kind == ObservationKind.TRAFFIC_SHARE:
            changes["traffic"] = self._traffic()
        elif self.kind == ObservationKind.VOICE:
            changes["mentions"] = data.get("mentions")
            for name in ("positive", "neutral", "negative"):
                value = data.get(name)
                changes[name] = None if value is None else value / HUNDRED
        elif self.kind == ObservationKind.PRODUCT_UPDATE:
            changes.update(
                impact=data.get("impact") or "", impact_note=data.get("impact_note") or ""
            )
        return changes

    def _traffic(self) -> dict[str, Any]:
        shares: dict[str, Any] = {}
        for key, _label in TRAFFIC_SOURCES:
            value = self.cleaned_data.get(f"share_{key}")
            if value is not None:
                shares[key] = value / HUNDRED
        for line in (self.cleaned_data.get("more_sources") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, value = line.replace("：", ":").rpartition(":")
            try:
                shares[name.strip() or line.strip()] = Decimal(value.strip().rstrip("%")) / HUNDRED
            except ArithmeticError:
                shares[name.strip() or line.strip()] = "?"
        return shares


class FeatureForm(ServiceForm):
    class Meta:
        model = Feature
        fields = list(services.FEATURE_EDITABLE)
        widgets = {"weight": forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "10"})}


class CellForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    note = forms.CharField(label=_("Short note or score"), required=False, max_length=80)
    version = VersionField(min_value=0)


class CompetitorImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Figures"), choices=list(FORMAT_LABELS.items()))
    file = forms.FileField(label=_("CSV file"))


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *ObservationKind.choices],
        required=False,
    )
