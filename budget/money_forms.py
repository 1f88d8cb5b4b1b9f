"""Forms of the budget pages: they parse; budget/money_services.py validates and saves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from budget.models import Budget, BudgetLine, Invoice, PoStatus, PurchaseOrder
from budget.money_services import SETTINGS_EDITABLE
from channels.models import Channel
from content.models import Campaign
from planner.forms import ServiceForm, VersionField
from planner.models import Plan

MONEY_INPUT = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


def _money(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        widget=MONEY_INPUT,
    )


class SettingsForm(ServiceForm):
    total = _money(_("Total budget"))

    class Meta:
        model = Budget
        fields = list(SETTINGS_EDITABLE)
        widgets = {
            name: forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"})
            for name in SETTINGS_EDITABLE
            if name != "total"
        }


def line_label(line: BudgetLine) -> str:
    return str(line)


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return line_label(obj)


def plan_lines(plan: Plan) -> Any:
    return BudgetLine.objects.filter(plan=plan).select_related("channel", "campaign")


class LineForm(forms.Form):
    planned = _money(pgettext_lazy("budget money", "Planned"))
    note = forms.CharField(label=_("Reason or note"), max_length=200, required=False)
    version = VersionField()


class LineCreateForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("Channel-wide (no campaign)"),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[(q, _("Q%(q)s") % {"q": q}) for q in range(1, 5)],
    )
    planned = _money(pgettext_lazy("budget money", "Planned"))
    note = forms.CharField(label=_("Reason or note"), max_length=200, required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            plan=plan, is_active=True
        )
        self.fields["campaign"].queryset = Campaign.objects.filter(plan=plan)  # type: ignore[attr-defined]


class PurchaseOrderForm(ServiceForm):
    line = LineChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    amount = _money(_("Amount"))

    class Meta:
        model = PurchaseOrder
        fields = ["line", "number", "supplier_name", "description", "amount", "issued_on"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = plan_lines(plan)  # type: ignore[attr-defined]


class PoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.supplier_name} · {obj.line}"


class InvoiceForm(ServiceForm):
    line = LineChoiceField(
        label=_("Budget line"),
        queryset=BudgetLine.objects.none(),
        required=False,
        help_text=_("Empty: the line of the purchase order."),
    )
    purchase_order = PoChoiceField(
        label=_("Purchase order"),
        queryset=PurchaseOrder.objects.none(),
        required=False,
        empty_label=_("None (spend without an order)"),
    )
    amount = _money(_("Amount"))

    class Meta:
        model = Invoice
        fields = ["purchase_order", "line", "number", "supplier_name", "amount", "invoiced_on"]
        widgets = {"invoiced_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = plan_lines(plan)  # type: ignore[attr-defined]
        self.fields["purchase_order"].queryset = PurchaseOrder.objects.filter(  # type: ignore[attr-defined]
            plan=plan, status=PoStatus.OPEN
        ).select_related("line__channel", "line__campaign")
