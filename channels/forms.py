from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from channels import services
from channels.models import (
    Channel,
    ChannelPlan,
    ContentFormat,
    Cooperation,
    Creator,
    RoiLayer,
)
from kpis.models import Kpi
from planner.forms import ServiceForm, VersionField, members
from planner.models import Plan


class ChannelForm(ServiceForm):
    formats = forms.MultipleChoiceField(
        label=_("Content formats"),
        choices=ContentFormat.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Channel
        fields = [name for name in services.CHANNEL_EDITABLE if name != "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roi_layer"]).choices = [
            ("", _("From the group")),
            *RoiLayer.choices,
        ]


class CellForm(ServiceForm):
    # 0: the cell does not exist yet (the service creates it, or reports a conflict).
    version = VersionField(min_value=0, required=False)
    formats = forms.MultipleChoiceField(
        label=_("Content formats"),
        choices=ContentFormat.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kpis = forms.ModelMultipleChoiceField(
        label=_("Target KPIs"),
        queryset=Kpi.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ChannelPlan
        fields = list(services.PLAN_EDITABLE)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["kpis"]).queryset = Kpi.objects.filter(
            plan=plan
        )
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)


def _https_links(field: models.Field[Any, Any], **kwargs: Any) -> Any:
    """A link typed without a scheme is an https:// link (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CreatorForm(ServiceForm):
    class Meta:
        model = Creator
        fields = list(services.CREATOR_EDITABLE)
        formfield_callback = _https_links

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact_owner"]).queryset = members(plan)


class CooperationForm(ServiceForm):
    class Meta:
        model = Cooperation
        fields = list(services.COOPERATION_EDITABLE)
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["creator"]).queryset = Creator.objects.filter(
            plan=plan
        )


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file (CSV or XLSX)"))
