"""The approvals API and pages: ETag / If-Match on every step, cross-workspace ids refused
with nothing written, read-only fields never applied, and the pages showing the data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget import ledger
from budget.models import (
    BudgetLine,
    BudgetRequest,
    DrawStatus,
    MoveStatus,
    ReallocationMove,
    RequestStatus,
    ReserveDraw,
)
from tests.budget.approvals_helpers import (
    channel,
    draft,
    fund,
    line,
    pending_draw,
    review_world,
    submitted,
)

pytestmark = pytest.mark.django_db
D = Decimal


def body(world, **extra):
    return {
        "plan": world.plan.pk,
        "channel": channel(world).pk,
        "quarter": 2,
        "title": "Douyin live-stream push",
        "amount": "50000.00",
        "expected_users": 2000,
        "expected_revenue": "150000.00",
        "assumptions": "CPA 25 yuan.",
        **extra,
    }


def test_create_submit_approve_through_the_api(world, api_for):
    fund(world)
    editor, manager = api_for("editor"), api_for("manager")
    created = editor.post(
        "/api/v1/budget-requests/", body(world, status="approved", version=9), format="json"
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["version"] == 1  # read-only fields ignored
    assert data["expected_roi"] == "2.0000"
    url = f"/api/v1/budget-requests/{data['id']}/"
    assert editor.post(f"{url}submit/", {}, format="json").status_code == 428
    assert editor.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    sent = editor.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    assert editor.post(f"{url}approve/", {}, HTTP_IF_MATCH=sent["ETag"]).status_code == 403
    got = manager.get(url)
    assert got["ETag"] == sent["ETag"]
    done = manager.post(
        f"{url}approve/", {"comment": "Go."}, format="json", HTTP_IF_MATCH=got["ETag"]
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "approved"
    assert [d["step"] for d in done.json()["decisions"]] == ["approve", "submit", "create"]
    assert BudgetLine.objects.get(pk=done.json()["line"]).planned == D("50000.00")
    listed = manager.get(f"/api/v1/budget-requests/?plan={world.plan.pk}&status=approved").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]


def test_a_shortfall_is_a_400_that_names_the_reserve(world, api_for):
    fund(world, total="10000")
    req = submitted(world, amount=D("9500"))
    url = f"/api/v1/budget-requests/{req.pk}/approve/"
    refused = api_for("manager").post(url, {}, format="json", HTTP_IF_MATCH=f'"{req.version}"')
    assert refused.status_code == 400 and "use_reserve" in refused.json()["fields"]
    done = api_for("manager").post(
        url, {"use_reserve": True}, format="json", HTTP_IF_MATCH=f'"{req.version}"'
    )
    assert done.status_code == 200 and done.json()["from_reserve"] == "500.00"


def test_another_workspaces_ids_are_refused_and_nothing_is_written(world, api_for):
    foreign = channel(world, "douyin", plan=world.other_plan)
    answer = api_for("editor").post(
        "/api/v1/budget-requests/", body(world, channel=foreign.pk), format="json"
    )
    assert answer.status_code == 400 and "channel" in answer.json()["fields"]
    assert not BudgetRequest.objects.exists()
    fund(world, plan=world.other_plan)
    foreign_line = ledger.line_for(world.other_plan, channel=foreign, campaign=None, quarter=1)
    fund(world)
    answer = api_for("manager").post(
        f"/api/v1/plans/{world.plan.pk}/reserve/",
        {"line": foreign_line.pk, "amount": "10", "reason": "x", "approve": True},
        format="json",
    )
    assert answer.status_code == 400 and "line" in answer.json()["fields"]
    assert not ReserveDraw.objects.exists()


def test_a_draft_is_patched_with_if_match_only(world, api_for):
    req = draft(world)
    url = f"/api/v1/budget-requests/{req.pk}/"
    client = api_for("editor")
    assert client.patch(url, {"title": "x"}, format="json").status_code == 428
    assert client.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"5"').status_code == 412
    done = client.patch(
        url, {"title": "Renamed", "status": "approved"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert done.status_code == 200, done.content
    assert done.json()["title"] == "Renamed" and done.json()["status"] == "draft"
    assert done["ETag"] == '"2"'
    assert client.delete(url, HTTP_IF_MATCH='"2"').status_code == 405


def test_reserve_and_draws_through_the_api(world, api_for):
    fund(world)
    target = line(world, "tmall", 3)
    url = f"/api/v1/plans/{world.plan.pk}/reserve/"
    asked = api_for("editor").post(
        url, {"line": target.pk, "amount": "2500", "reason": "Search push."}, format="json"
    )
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    draw_url = f"/api/v1/reserve-draws/{asked.json()['id']}/"
    manager = api_for("manager")
    assert manager.post(f"{draw_url}approve/", {}, format="json").status_code == 428
    done = manager.post(f"{draw_url}approve/", {}, format="json", HTTP_IF_MATCH=asked["ETag"])
    assert done.status_code == 200 and done.json()["status"] == DrawStatus.APPROVED
    summary = api_for("viewer").get(url).json()
    assert summary["balance"] == "97500.00" and summary["drawn"] == "2500.00"
    assert summary["target"] == "100000.00" and summary["decided"][0]["id"] == asked.json()["id"]


def test_the_reallocation_api(world, api_for):
    assert api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/reallocation/").status_code == 404
    review = review_world(world)
    got = api_for("viewer").get(f"/api/v1/plans/{world.plan.pk}/reallocation/").json()
    assert got["quarter"] == 1 and len(got["moves"]) == 1
    move = got["moves"][0]
    assert (move["from_channel"], move["to_channel"], move["reasons"]) == (
        "douyin",
        "wechat",
        ["grade_c"],
    )
    again = api_for("editor").post(
        f"/api/v1/plans/{world.plan.pk}/reallocation/", {"quarter": 1}, format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == review.pk
    url = f"/api/v1/plans/{world.plan.pk}/reallocation/moves/{move['id']}/approve/"
    manager = api_for("manager")
    assert manager.post(url, {}, format="json").status_code == 428
    too_much = manager.post(url, {"amount": "20000.01"}, format="json", HTTP_IF_MATCH='"1"')
    assert too_much.status_code == 400
    done = manager.post(url, {"amount": "12000"}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200, done.content
    assert done.json()["approved_amount"] == "12000.00" and done["ETag"] == '"2"'
    assert ReallocationMove.objects.get(pk=move["id"]).status == MoveStatus.APPROVED
    # the move of another plan's review is not found through this plan
    other = f"/api/v1/plans/{world.other_plan.pk}/reallocation/moves/{move['id']}/reject/"
    assert (
        api_for("outsider").post(other, {}, format="json", HTTP_IF_MATCH='"2"').status_code == 404
    )


# --- pages ---------------------------------------------------------------------------------------


def test_the_inbox_shows_a_manager_what_waits_first(world, client_for):
    fund(world)
    waiting = submitted(world, title="Waiting one")
    draft(world, title="Still a draft")
    page = client_for("manager").get(f"/plans/{world.plan.pk}/budget/requests/")
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        text.index("Waiting for your decision")
        < text.index("Waiting one")
        < text.index("Other requests")
    )
    assert 'class="count-pill">1<' in text
    detail = client_for("manager").get(f"/plans/{world.plan.pk}/budget/requests/{waiting.pk}/")
    assert b'value="approve"' in detail.content and b"Cost-benefit sheet" in detail.content
    mine = client_for("editor").get(f"/plans/{world.plan.pk}/budget/requests/").content.decode()
    assert "My requests" in mine and 'value="approve"' not in mine


def test_approving_on_the_page_and_a_stale_form(world, client_for):
    fund(world)
    req = submitted(world)
    url = f"/plans/{world.plan.pk}/budget/requests/{req.pk}/step/"
    manager = client_for("manager")
    stale = manager.post(url, {"action": "approve", "version": req.version - 1})
    assert stale.status_code == 409 and b"in the meantime" in stale.content
    refused = manager.post(url, {"action": "reject", "version": req.version, "comment": ""})
    assert refused.status_code == 400 and b"Say why" in refused.content
    done = manager.post(url, {"action": "approve", "version": req.version})
    assert done.status_code == 302
    assert BudgetRequest.objects.get(pk=req.pk).status == RequestStatus.APPROVED
    page = manager.get(done["Location"]).content.decode()
    assert "Approved" in page and "manager-user" in page


def test_the_review_and_reserve_pages_show_their_figures(world, client_for):
    review = review_world(world)
    pending_draw(world, "1234")
    page = client_for("manager").get(f"/plans/{world.plan.pk}/budget/review/").content.decode()
    assert "graded C" in page and "¥20,000" in page
    assert "/approve-all/" in page and str(review.moves.get().pk) in page
    viewer = client_for("viewer").get(f"/plans/{world.plan.pk}/budget/review/").content.decode()
    assert "approve-all" not in viewer
    reserve = client_for("manager").get(f"/plans/{world.plan.pk}/budget/reserve/").content.decode()
    assert "¥100,000" in reserve and "¥1,234.00" in reserve and 'value="approve"' in reserve


def test_the_reserve_card_partial_renders_the_summary(world):
    from django.template.loader import render_to_string

    from budget import approval_queries as queries

    fund(world)
    pending_draw(world, "2500")
    summary = queries.reserve_summary(world.plan)
    assert (summary.target, summary.balance, summary.pending_count) == (
        D("100000.00"),
        D("100000.00"),
        1,
    )
    html = render_to_string("budget/reserve_card.html", {"reserve": summary})
    assert "¥100,000" in html and "¥2,500.00" in html
    assert f"/plans/{world.plan.pk}/budget/reserve/" in html


def test_a_bad_sheet_on_the_page_names_every_field(world, client_for):
    page = client_for("editor").post(
        f"/plans/{world.plan.pk}/budget/requests/new/",
        {"channel": channel(world).pk, "quarter": 2, "title": "", "amount": "0", "assumptions": ""},
    )
    assert page.status_code == 400
    text = page.content.decode()
    for problem in (
        "Give the request a title.",
        "Write down the assumptions behind the figures.",
        "Enter a cost greater than zero.",
    ):
        assert problem in text
    assert not BudgetRequest.objects.exists()
