"""Builders for the budget's money tests: a funded budget, lines, spend, orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from budget import ledger
from budget import money_services as services
from budget.models import BudgetLine, PurchaseOrder
from channels.models import Channel
from content.models import Campaign
from monitoring.models import DailyMetric

D = Decimal


def channel(world: Any, code: str = "douyin", plan: Any = None) -> Channel:
    return Channel.objects.get(plan=plan or world.plan, code=code)


def campaign(world: Any, code: str = "spring", plan: Any = None) -> Campaign:
    found, _ = Campaign.objects.get_or_create(
        plan=plan or world.plan,
        code=code,
        defaults={
            "name": f"Campaign {code}",
            "theme": "seasonal",
            "start": date(2027, 1, 10),
            "end": date(2027, 2, 20),
        },
    )
    return found


def fund(world: Any, total: Any = "10000", reserve: Any = "10") -> None:
    budget = ledger.budget_of(world.plan)
    services.settings_update(
        plan=world.plan,
        expected_version=budget.version,
        changes={"total": D(total), "reserve_pct": D(reserve)},
        actor=world.users["editor"],
    )


def line(
    world: Any,
    code: str = "douyin",
    quarter: int = 1,
    planned: Any = "0",
    campaign_: Campaign | None = None,
) -> BudgetLine:
    existing = BudgetLine.objects.filter(
        plan=world.plan, channel=channel(world, code), campaign=campaign_, quarter=quarter
    ).first()
    if existing is not None:
        return services.line_update(
            line=existing,
            expected_version=existing.version,
            changes={"planned": D(planned)},
            actor=world.users["editor"],
        )
    return services.line_create(
        plan=world.plan,
        actor=world.users["editor"],
        channel=channel(world, code),
        campaign=campaign_,
        quarter=quarter,
        planned=D(planned),
    )


def spend(
    world: Any, code: str, day: date, amount: Any, campaign_: Campaign | None = None
) -> DailyMetric:
    return DailyMetric.objects.create(
        plan=world.plan, date=day, channel=channel(world, code), campaign=campaign_, spend=D(amount)
    )


def order(world: Any, on: BudgetLine, amount: Any, number: str = "PO-1") -> PurchaseOrder:
    return services.po_create(
        plan=world.plan,
        actor=world.users["editor"],
        line=on,
        number=number,
        supplier_name="Yiran Exhibition",
        description="Pop-up build-out",
        amount=D(amount),
        issued_on=date(2027, 1, 15),
    )


def invoice(world: Any, amount: Any, number: str, po: PurchaseOrder | None = None, on=None):
    return services.invoice_create(
        plan=world.plan,
        actor=world.users["editor"],
        purchase_order=po,
        line=on,
        number=number,
        amount=D(amount),
        invoiced_on=date(2027, 2, 1),
    )
