"""Forms of the notification pages: a member's subscription and the delivery log filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from monitoring.models import Severity
from planner.forms import VersionField
from planner.notify import subscriptions
from planner.notify.models import DeliveryKind, DeliveryStatus, DigestCadence, Subscription
from planner.sections import SECTIONS

SEVERITY_CHOICES = [
    (s.value, s.label) for s in (Severity.CRITICAL, Severity.WARNING, Severity.INFO)
]


class SubscriptionForm(forms.Form):
    alert_severities = forms.MultipleChoiceField(
        label=_("Email me alerts of severity"),
        choices=SEVERITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: no alert emails."),
    )
    alert_sections = forms.MultipleChoiceField(
        label=_("From these plan sections"),
        choices=[(s.key, s.title) for s in SECTIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.ChoiceField(label=_("Digest"), choices=DigestCadence.choices)
    digest_hour = forms.TypedChoiceField(
        label=_("Digest hour"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text=_("In your time zone."),
    )
    language = forms.ChoiceField(label=_("Email language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=())
    version = VersionField()

    FIELDS = subscriptions.EDITABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = subscriptions.timezone_choices()

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionForm:
        """The form showing what is saved now."""
        initial = {name: getattr(subscription, name) for name in cls.FIELDS}
        return cls(initial={**initial, "version": subscription.version})

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *DeliveryStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Any kind")), *DeliveryKind.choices],
        required=False,
    )

    def chosen(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
