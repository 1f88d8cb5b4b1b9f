"""The budget's money API: ETags and If-Match, cross-workspace ids, read-only fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget import ledger
from budget.models import Budget, BudgetLine, Invoice, PurchaseOrder
from tests.budget.money_helpers import channel, fund, line, order

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_line_reads_with_its_figures_and_an_etag(world, api_for):
    fund(world, "1000", "0")
    found = line(world, "douyin", 1, "300")
    order(world, found, "120")
    response = api_for("viewer").get(f"/api/v1/budget-lines/{found.pk}/")
    assert response.status_code == 200 and response["ETag"] == f'"{found.version}"'
    body = response.json()
    assert (body["planned"], body["committed"], body["actual"], body["available"]) == (
        300.0,
        120.0,
        0.0,
        180.0,
    )
    rows = api_for("viewer").get(f"/api/v1/budget-lines/?plan={world.plan.pk}").json()["results"]
    assert [r["id"] for r in rows] == [found.pk]


def test_patching_planned_needs_if_match_and_moves_money(world, api_for):
    fund(world, "1000", "0")
    found = line(world, "douyin", 1, "300")
    url = f"/api/v1/budget-lines/{found.pk}/"
    client = api_for("editor")
    assert client.patch(url, {"planned": "500"}, format="json").status_code == 428
    stale = client.patch(url, {"planned": "500"}, format="json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    ok = client.patch(
        url, {"planned": "500", "quarter": 4}, format="json", HTTP_IF_MATCH=f'"{found.version}"'
    )
    assert ok.status_code == 200 and ok.json()["planned"] == 500.0 and ok.json()["quarter"] == 1
    assert Budget.objects.get(plan=world.plan).unallocated == 500
    too_much = client.patch(url, {"planned": "1200"}, format="json", HTTP_IF_MATCH=ok["ETag"])
    assert too_much.status_code == 400 and "amount" in too_much.json()["fields"]


def test_another_workspaces_ids_are_refused_and_nothing_is_written(world, api_for):
    theirs = channel(world, "douyin", world.other_plan)
    client = api_for("editor")
    response = client.post(
        "/api/v1/budget-lines/",
        {"plan": world.plan.pk, "channel": theirs.pk, "quarter": 1},
        format="json",
    )
    assert response.status_code == 400 and "channel" in response.json()["fields"]
    other_line = BudgetLine.objects.create(plan=world.other_plan, channel=theirs, quarter=1)
    response = client.post(
        "/api/v1/purchase-orders/",
        {
            "plan": world.plan.pk,
            "line": other_line.pk,
            "number": "PO-X",
            "supplier_name": "X",
            "amount": "10",
            "issued_on": "2027-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "line" in response.json()["fields"]
    assert not BudgetLine.objects.filter(plan=world.plan).exists()
    assert not PurchaseOrder.objects.exists()


def test_a_line_of_another_plan_in_the_same_workspace_is_refused(world, api_for):
    from tests.factories import PlanFactory

    second = PlanFactory(workspace=world.workspace, name="Scenario B")
    from channels.services import catalogue_install

    catalogue_install(plan=second)
    response = api_for("editor").post(
        "/api/v1/budget-lines/",
        {"plan": world.plan.pk, "channel": channel(world, "douyin", second).pk, "quarter": 1},
        format="json",
    )
    assert response.status_code == 400 and "channel" in response.json()["fields"]


def test_the_budget_reads_and_changes_with_if_match(world, api_for):
    fund(world, "1000", "10")
    url = f"/api/v1/plans/{world.plan.pk}/budget/"
    read = api_for("viewer").get(url)
    body = read.json()
    assert (body["total"], body["reserve_balance"], body["unallocated"], body["allocatable"]) == (
        1000.0,
        100.0,
        900.0,
        900.0,
    )
    client = api_for("editor")
    assert client.put(url, {"total": "2000"}, format="json").status_code == 428
    changed = client.put(
        url, {"total": "2000", "allocated": "5"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["allocated"] == 0.0
    assert changed.json()["reserve_balance"] == 200.0
    again = client.put(url, {"total": "3000"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert again.status_code == 412
    assert Budget.objects.get(plan=world.plan).total == 2000


def test_allocation_proposal_and_accept(world, api_for):
    fund(world, "1000", "0")
    url = f"/api/v1/plans/{world.plan.pk}/allocation/"
    proposal = api_for("viewer").get(url).json()
    assert proposal["placeable"] and proposal["proposed_total"] == 1000.0
    assert sum(r["proposed_total"] for r in proposal["channels"]) == pytest.approx(1000.0)
    assert api_for("viewer").post(url).status_code == 403
    done = api_for("editor").post(url)
    assert done.status_code == 200 and done.json()["allocated"] == 1000.0
    budget = ledger.budget_of(world.plan)
    assert budget.unallocated == 0
    total = sum((x.planned for x in BudgetLine.objects.filter(plan=world.plan)), D(0))
    assert total == budget.allocated == 1000


def test_orders_cancel_and_invoices_through_the_api(world, api_for):
    fund(world, "1000", "0")
    found = line(world, "popup", 1, "500")
    client = api_for("editor")
    made = client.post(
        "/api/v1/purchase-orders/",
        {
            "plan": world.plan.pk,
            "line": found.pk,
            "number": "PO-1",
            "supplier_name": "Yiran",
            "amount": "200",
            "issued_on": "2027-01-10",
            "status": "invoiced",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "open"
    po = made.json()
    inv = client.post(
        "/api/v1/invoices/",
        {
            "plan": world.plan.pk,
            "purchase_order": po["id"],
            "number": "I-1",
            "amount": "50",
            "invoiced_on": "2027-02-01",
        },
        format="json",
    )
    assert inv.status_code == 201 and inv.json()["line"] == found.pk
    read = client.get(f"/api/v1/purchase-orders/{po['id']}/")
    assert (read.json()["invoiced"], read.json()["committed"]) == (50.0, 150.0)
    cancel = client.patch(
        f"/api/v1/purchase-orders/{po['id']}/",
        {"status": "cancelled"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert cancel.status_code == 200 and cancel.json()["committed"] == 0.0
    reopen = client.patch(
        f"/api/v1/purchase-orders/{po['id']}/",
        {"status": "open"},
        format="json",
        HTTP_IF_MATCH=cancel["ETag"],
    )
    assert reopen.status_code == 409
    invoice_id = inv.json()["id"]
    assert client.delete(f"/api/v1/invoices/{invoice_id}/").status_code == 428
    gone = client.delete(f"/api/v1/invoices/{invoice_id}/", HTTP_IF_MATCH=inv["ETag"])
    assert gone.status_code == 204 and not Invoice.objects.exists()


def test_rules_and_weights_through_the_api_drive_the_proposal(world, api_for):
    from kpis.models import Objective

    fund(world, "1000", "0")
    client = api_for("editor")
    growth = Objective.objects.create(plan=world.plan, area="growth", title="Grow")
    theirs = Objective.objects.create(plan=world.other_plan, area="growth", title="Theirs")
    for c in world.plan.channels.filter(is_active=True):
        body = {"plan": world.plan.pk, "channel": c.pk, "priority": "0"}
        assert client.post("/api/v1/allocation-rules/", body, format="json").status_code == 201
    rule = client.get(f"/api/v1/allocation-rules/?plan={world.plan.pk}&channel={channel(world).pk}")
    row = rule.json()["results"][0]
    url = f"/api/v1/allocation-rules/{row['id']}/"
    refused = client.patch(
        url, {"objective": theirs.pk}, format="json", HTTP_IF_MATCH=f'"{row["version"]}"'
    )
    assert refused.status_code == 400 and "objective" in refused.json()["fields"]
    ok = client.patch(
        url,
        {"priority": "2", "objective": growth.pk},
        format="json",
        HTTP_IF_MATCH=f'"{row["version"]}"',
    )
    assert ok.status_code == 200 and ok.json()["objective"] == growth.pk
    made = client.post(
        "/api/v1/objective-weights/",
        {"plan": world.plan.pk, "objective": growth.pk, "weight": "3"},
        format="json",
    )
    assert made.status_code == 201
    proposal = client.get(f"/api/v1/plans/{world.plan.pk}/allocation/").json()
    douyin = next(r for r in proposal["channels"] if r["code"] == "douyin")
    assert douyin["priority"] == 2.0 and douyin["objective_weight"] == 3.0
    assert douyin["proposed_total"] == 1000.0  # the only channel with a weight
