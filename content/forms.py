"""Forms of the campaign calendar: they parse input for the services and never save."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from channels.models import Channel, RoiLayer
from content import services
from content.models import Campaign, CampaignStatus, ThemeType
from content.queries import FestivalDay, Filters
from planner.forms import ServiceForm, members
from planner.models import Plan

ISO_DATE = "%Y-%m-%d"


class CampaignForm(ServiceForm):
    """A campaign's fields. Once the plan is approved only ``status`` stays open
    (``execution_only``); a reader sees every field disabled (``read_only``)."""

    festival = forms.ChoiceField(label=_("Festival"), required=False)
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = list(services.CAMPAIGN_EDITABLE)
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "end": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
            "key_message": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "code": _("Metric files and budget lines refer to the campaign by this code."),
            "status": _(
                "A campaign moves one step at a time: idea, planned, in production, live, done."
            ),
        }

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        festivals: Sequence[FestivalDay],
        execution_only: bool = False,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        chosen = Q(campaigns=self.instance) if self.instance.pk else Q(pk__in=[])
        channel_field = cast(forms.ModelMultipleChoiceField, self.fields["channels"])
        channel_field.queryset = (
            Channel.objects.filter(plan=plan).filter(Q(is_active=True) | chosen).distinct()
        ).order_by("sort_order", "code")
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members(plan)
        festival_field = cast(forms.ChoiceField, self.fields["festival"])
        festival_field.choices = [
            ("", _("— none —")),
            *((f.code, f"{f.name} · {date_format(f.peak, 'MONTH_DAY_FORMAT')}") for f in festivals),
        ]
        cast(forms.ChoiceField, self.fields["roi_layer"]).choices = [
            ("", _("From the theme")),
            *RoiLayer.choices,
        ]
        for name, field in self.fields.items():
            if read_only or (execution_only and name not in services.CAMPAIGN_EXECUTION):
                field.disabled = True


class CalendarFilterForm(forms.Form):
    """The calendar's filters (GET). A value that does not parse is ignored."""

    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.none(), required=False
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data: Any, *, plan: Plan, **kwargs: Any) -> None:
        super().__init__(data, auto_id="filter_%s", **kwargs)
        channel_field = cast(forms.ModelChoiceField, self.fields["channel"])
        channel_field.queryset = Channel.objects.filter(plan=plan).order_by("sort_order", "code")
        channel_field.empty_label = str(_("All channels"))
        cast(forms.ChoiceField, self.fields["theme"]).choices = [
            ("", _("All themes")),
            *ThemeType.choices,
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("All statuses")),
            *CampaignStatus.choices,
        ]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""

    def filters(self) -> Filters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        channel = data.get("channel")
        return Filters(
            channel=channel.pk if channel is not None else None,
            theme=data.get("theme") or "",
            status=data.get("status") or "",
        )
