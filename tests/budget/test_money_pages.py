"""The budget's money pages: what they show, and how a stale or refused save reads."""

from __future__ import annotations

from datetime import date

import pytest

from budget import ledger
from budget.models import Budget, BudgetLine
from tests.budget.money_helpers import campaign, fund, line, order, spend

pytestmark = pytest.mark.django_db


def test_the_tree_page_shows_totals_levels_and_the_overspent_line(world, client_for):
    fund(world, "100000", "10")
    found = line(world, "douyin", 1, "1000", campaign_=campaign(world))
    spend(world, "douyin", date(2027, 1, 12), "1500", campaign(world))
    order(world, found, "100")
    response = client_for("viewer").get(f"/plans/{world.plan.pk}/budget/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "¥100,000" in text and "¥10,000" in text  # total and reserve
    assert "Campaign spring" in text and "Online platforms" in text
    assert 'class="fig over"' in text  # -¥600 available on the campaign line
    assert "-¥600.00" in text
    assert 'data-chart="burn-figure"' in text
    assert "Reconciles" in text
    assert "Save settings" not in text  # viewers read the settings


def test_a_stale_settings_form_shows_the_saved_values(world, client_for):
    fund(world, "1000", "0")
    stale = ledger.budget_of(world.plan).version - 1
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/budget/settings/",
        {
            "total": "5000",
            "reserve_pct": "10",
            "max_move_pct": "20",
            "max_review_pct": "10",
            "q1_share": "25",
            "q2_share": "25",
            "q3_share": "25",
            "q4_share": "25",
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert "in the meantime" in response.content.decode()
    assert Budget.objects.get(plan=world.plan).total == 1000


def test_the_settings_form_reports_a_total_below_the_lines(world, client_for):
    fund(world, "1000", "0")
    line(world, "douyin", 1, "900")
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/budget/settings/",
        {
            "total": "100",
            "reserve_pct": "0",
            "max_move_pct": "20",
            "max_review_pct": "10",
            "q1_share": "25",
            "q2_share": "25",
            "q3_share": "25",
            "q4_share": "25",
            "version": ledger.budget_of(world.plan).version,
        },
    )
    assert response.status_code == 400
    assert "release money from lines first" in response.content.decode()


def test_a_stale_line_adjustment_is_a_conflict(world, client_for):
    fund(world, "1000", "0")
    found = line(world, "douyin", 1, "300")
    url = f"/plans/{world.plan.pk}/budget/lines/{found.pk}/"
    client = client_for("editor")
    assert client.post(url, {"planned": "400", "version": found.version}).status_code == 302
    response = client.post(url, {"planned": "100", "version": found.version})
    assert response.status_code == 409 and "in the meantime" in response.content.decode()
    assert BudgetLine.objects.get(pk=found.pk).planned == 400


def test_a_refused_accept_names_the_line(world, client_for):
    fund(world, "1000", "0")
    held = line(world, "wechat", 2, "500")
    order(world, held, "400")
    client = client_for("editor")
    body = {f"priority-{c.pk}": "0" for c in world.plan.channels.filter(is_active=True)}
    body |= {f"rv-{c.pk}": "0" for c in world.plan.channels.filter(is_active=True)}
    body[f"priority-{world.plan.channels.get(code='douyin').pk}"] = "1"
    assert client.post(f"/plans/{world.plan.pk}/budget/allocation/rules/", body).status_code == 302
    response = client.post(f"/plans/{world.plan.pk}/budget/allocation/accept/")
    assert response.status_code == 400
    assert "400.00 is already committed or spent" in response.content.decode()


def test_the_allocation_and_orders_pages_in_chinese(world, client_for):
    fund(world, "1000", "0")
    order(world, line(world, "popup", 1, "500"), "100")
    client = client_for("editor", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.get(f"/plans/{world.plan.pk}/budget/allocation/").status_code == 200
    response = client.get(f"/plans/{world.plan.pk}/budget/orders/")
    assert response.status_code == 200 and "PO-1" in response.content.decode()
