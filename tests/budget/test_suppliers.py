"""Suppliers: tiers, reviews and the consecutive-failure flag, clauses, the innovation fund,
and the pages and API around them (access itself: tests/budget/access_suppliers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from budget import supplier_queries as queries
from budget import supplier_services as services
from budget.models import (
    FlagStatus,
    InnovationProject,
    RiskClause,
    Supplier,
    SupplierFlag,
    SupplierReview,
)
from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from planner.models import Plan, PlanStatus
from tests.budget.supplier_helpers import (
    FAIL,
    PASS,
    clause,
    flag,
    fund,
    project,
    review,
    supplier,
)
from tests.factories import PlanFactory

D = Decimal
pytestmark = pytest.mark.django_db


def flags(world, who=None, plan=None):
    return list(
        SupplierFlag.objects.filter(supplier=who or supplier(world), plan=plan or world.plan)
        .order_by("pk")
        .values_list("status", flat=True)
    )


def edit(world, found: SupplierReview, scores) -> SupplierReview:
    quality, timeliness, compliance = scores
    found.refresh_from_db()
    return services.review_update(
        review=found,
        expected_version=found.version,
        changes={"quality": quality, "timeliness": timeliness, "compliance": compliance},
        actor=world.users["editor"],
    )


# --- tiers -----------------------------------------------------------------------------------


def standing(world, who):
    return queries.assess([who], services.policy_for(world.plan), world.plan)[who.pk]


def test_tier_follows_the_plans_cut_offs_and_past_performance(world):
    # given a supplier at exactly the strategic cut-off (85) on both scores
    who = supplier(world, qualification_score=85, capability_score=85)
    # then without reviews it is priority at most
    assert standing(world, who).tier == "priority"
    # when its reviews average exactly 85 it is strategic
    review(world, 1, (85, 85, 85), who=who)
    assert standing(world, who).performance == D("85.0")
    assert standing(world, who).tier == "strategic"
    # and one weaker review pulls past performance below the cut-off
    review(world, 2, (84, 84, 84), who=who)
    assert standing(world, who).performance == D("84.5")
    assert standing(world, who).tier == "priority"


def test_tier_uses_the_latest_reviews_of_the_window_across_plans(world):
    who = supplier(world, qualification_score=90, capability_score=90)
    earlier = PlanFactory(workspace=world.workspace, year=world.plan.year - 1, name="Last year")
    review(world, 4, FAIL, who=who, plan=earlier)  # the oldest review: outside a window of 4
    for quarter in (1, 2, 3, 4):
        review(world, quarter, PASS, who=who)
    assert standing(world, who).performance == D("90.0")
    policy = services.policy_for(world.plan)
    services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        actor=world.users["editor"],
        performance_window=5,
    )
    assert standing(world, who).performance == D("82.0")  # (4×90 + 50) / 5


def test_a_manual_tier_needs_a_reason_and_wins(world):
    who = supplier(world, qualification_score=60, capability_score=60)
    with pytest.raises(InvalidInput) as error:
        services.supplier_update(
            supplier=who,
            expected_version=who.version,
            changes={"tier_override": "strategic"},
            actor=world.users["editor"],
        )
    assert "tier_override_reason" in error.value.fields
    who = services.supplier_update(
        supplier=who,
        expected_version=who.version,
        changes={"tier_override": "strategic", "tier_override_reason": "Sole Douyin seat holder"},
        actor=world.users["editor"],
    )
    found = standing(world, who)
    assert (found.tier, found.derived_tier, found.overridden) == ("strategic", "basic", True)
    # clearing the override clears its reason
    who = services.supplier_update(
        supplier=who,
        expected_version=who.version,
        changes={"tier_override": ""},
        actor=world.users["editor"],
    )
    assert who.tier_override_reason == ""


def test_supplier_input_is_validated_as_a_whole(world):
    with pytest.raises(InvalidInput) as error:
        services.supplier_create(
            workspace=world.workspace,
            actor=world.users["editor"],
            name=" ",
            category="nope",
            qualification_score=101,
            capability_score=-1,
        )
    assert set(error.value.fields) == {
        "name",
        "category",
        "qualification_score",
        "capability_score",
    }
    assert not Supplier.objects.exists()


def test_viewers_cannot_write_suppliers(world):
    with pytest.raises(NotAllowed):
        services.supplier_create(
            workspace=world.workspace,
            actor=world.users["viewer"],
            name="X",
            category="other",
            qualification_score=1,
            capability_score=1,
        )


# --- reviews and the consecutive-failure flag --------------------------------------------------


def test_review_score_and_result_follow_the_policy(world):
    found = review(world, 1, (62, 55, 70))
    assert (found.score, found.passed) == (D("62.3"), False)
    assert found.reviewer == world.users["editor"]
    with pytest.raises(InvalidInput) as error:
        review(world, 1, PASS)
    assert "quarter" in error.value.fields


def test_n_failures_in_a_row_raise_one_flag(world):
    review(world, 1, FAIL)
    assert flags(world) == []
    review(world, 2, FAIL)
    assert flags(world) == ["open"]
    flag_row = SupplierFlag.objects.get()
    assert (flag_row.quarters, flag_row.scores, flag_row.trigger_quarter) == (
        [1, 2],
        ["50.0", "50.0"],
        2,
    )
    review(world, 3, FAIL)  # the streak grows, the flag stays one
    assert flags(world) == ["open"]
    assert SupplierFlag.objects.get().quarters == [1, 2, 3]
    assert queries.flagged_suppliers(world.plan)[0].streak == 3


def test_failures_count_in_quarter_order_not_entry_order(world):
    # reviews in a row are consecutive reviews in quarter order; a quarter without a
    # review neither breaks nor extends a run
    review(world, 3, FAIL)
    review(world, 1, FAIL)
    assert flags(world) == ["open"]
    assert SupplierFlag.objects.get().quarters == [1, 3]
    # a passed Q2 review entered late shows the failures were not in a row after all
    review(world, 2, PASS)
    assert flags(world) == ["withdrawn"]


def test_a_pass_after_failures_does_not_clear_an_open_flag(world):
    flag(world)
    review(world, 3, PASS)
    assert flags(world) == ["open"]
    assert queries.flagged_suppliers(world.plan)[0].streak == 0


def test_editing_a_failed_review_to_a_pass_withdraws_the_flag(world):
    first = review(world, 1, FAIL)
    review(world, 2, FAIL)
    edit(world, first, PASS)
    assert flags(world) == ["withdrawn"]
    withdrawn = SupplierFlag.objects.get()
    assert withdrawn.resolved_by == world.users["editor"] and withdrawn.resolved_at
    # and editing it back raises a new flag
    edit(world, first, FAIL)
    assert flags(world) == ["withdrawn", "open"]


def test_deleting_a_failed_review_withdraws_the_flag(world):
    review(world, 1, FAIL)
    second = review(world, 2, FAIL)
    services.review_delete(
        review=second, expected_version=second.version, actor=world.users["editor"]
    )
    assert flags(world) == ["withdrawn"]


def test_moving_a_review_to_another_quarter_recomputes_the_run(world):
    review(world, 1, FAIL)
    review(world, 2, PASS)
    last = review(world, 4, FAIL)
    assert flags(world) == []
    last.refresh_from_db()
    services.review_update(
        review=last,
        expected_version=last.version,
        changes={"quarter": 3},
        actor=world.users["editor"],
    )
    assert flags(world) == []
    second = SupplierReview.objects.get(quarter=2)
    edit(world, second, FAIL)
    assert SupplierFlag.objects.get(status="open").quarters == [1, 2, 3]


def test_failures_in_different_plans_do_not_add_up(world):
    other_plan = PlanFactory(workspace=world.workspace, year=world.plan.year + 1, name="Next")
    review(world, 4, FAIL)
    review(world, 1, FAIL, plan=other_plan)
    assert SupplierFlag.objects.count() == 0
    review(world, 2, FAIL, plan=other_plan)
    assert flags(world) == [] and flags(world, plan=other_plan) == ["open"]


def test_failures_of_different_suppliers_do_not_add_up(world):
    review(world, 1, FAIL)
    review(world, 2, FAIL, who=supplier(world, "Green Leaf"))
    assert SupplierFlag.objects.count() == 0


def test_a_resolved_flag_stays_resolved_and_a_new_run_raises_a_new_one(world):
    open_flag = flag(world)
    with pytest.raises(InvalidInput) as error:
        services.flag_resolve(
            flag=open_flag,
            expected_version=open_flag.version,
            actor=world.users["manager"],
            resolution="",
        )
    assert set(error.value.fields) == {"action", "resolution"}
    resolved = services.flag_resolve(
        flag=open_flag,
        expected_version=open_flag.version,
        actor=world.users["manager"],
        action="correction",
        resolution="Colour proofs before each run",
    )
    assert (resolved.status, resolved.resolved_by) == ("resolved", world.users["manager"])
    review(world, 3, FAIL)  # one failure after the resolved run: not yet N in a row
    assert flags(world) == ["resolved"]
    review(world, 4, FAIL)
    assert flags(world) == ["resolved", "open"]
    assert SupplierFlag.objects.get(status="open").quarters == [3, 4]
    resolved.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.flag_resolve(
            flag=resolved,
            expected_version=resolved.version,
            actor=world.users["manager"],
            action="correction",
            resolution="again",
        )


def test_only_managers_decide_and_resolve_flags(world):
    open_flag = flag(world)
    for persona in ("editor", "viewer"):
        with pytest.raises(NotAllowed):
            services.flag_decide(
                flag=open_flag,
                expected_version=open_flag.version,
                changes={"action": "replacement"},
                actor=world.users[persona],
            )
    decided = services.flag_decide(
        flag=open_flag,
        expected_version=open_flag.version,
        changes={"action": "replacement", "action_note": "Tender in Q4"},
        actor=world.users["manager"],
    )
    assert (decided.status, decided.action) == ("open", "replacement")
    with pytest.raises(StaleVersion):
        services.flag_decide(
            flag=open_flag,
            expected_version=open_flag.version,
            changes={"action": "correction"},
            actor=world.users["manager"],
        )


def test_a_policy_change_rescores_reviews_and_recomputes_flags(world):
    review(world, 1, (65, 65, 65))
    review(world, 2, (65, 65, 65))
    assert flags(world) == ["open"]
    policy = services.policy_for(world.plan)
    services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        actor=world.users["editor"],
        pass_mark=60,
    )
    assert set(SupplierReview.objects.values_list("passed", flat=True)) == {True}
    assert flags(world) == ["withdrawn"]
    policy.refresh_from_db()
    services.policy_update(
        plan=world.plan,
        expected_version=policy.version,
        actor=world.users["editor"],
        pass_mark=70,
        failures_to_flag=3,
    )
    assert flags(world) == ["withdrawn"]  # two failures, three needed


def test_policy_is_validated_and_frozen_after_approval(world):
    policy = services.policy_for(world.plan)
    with pytest.raises(InvalidInput) as error:
        services.policy_update(
            plan=world.plan,
            expected_version=policy.version,
            actor=world.users["editor"],
            weight_quality=50,
            priority_min=90,
        )
    assert set(error.value.fields) == {"weight_quality", "priority_min"}
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.APPROVED)
    with pytest.raises(Locked):
        services.policy_update(
            plan=world.plan,
            expected_version=policy.version,
            actor=world.users["editor"],
            pass_mark=60,
        )
    # reviews go on while the plan runs, but not once it is archived
    review(world, 1)
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.ARCHIVED)
    with pytest.raises(Locked):
        review(world, 2)


# --- clauses ---------------------------------------------------------------------------------


def test_clause_fields_depend_on_the_kind(world):
    who = supplier(world)
    with pytest.raises(InvalidInput) as error:
        services.clause_create(supplier=who, actor=world.users["editor"], kind="price_index")
    assert set(error.value.fields) == {"index_name", "threshold_pct", "supplier_share_pct"}
    made = services.clause_create(
        supplier=who,
        actor=world.users["editor"],
        kind="force_majeure",
        events="Typhoons",
        notice_days=3,
        index_name="left over",
    )
    assert made.index_name == ""  # a field of another kind is cleared
    with pytest.raises(InvalidInput) as error:
        services.clause_create(supplier=who, actor=world.users["editor"], kind="backup", backup=who)
    assert "backup" in error.value.fields


def test_a_backup_supplier_of_another_workspace_is_refused(world):
    # even for a user who belongs to both workspaces
    from planner.models import Membership

    Membership.objects.create(
        workspace=world.other_workspace, user=world.users["editor"], role="editor"
    )
    theirs = supplier(world, "Rival Print", other=True)
    with pytest.raises(InvalidInput) as error:
        services.clause_create(
            supplier=supplier(world), actor=world.users["editor"], kind="backup", backup=theirs
        )
    assert "backup" in error.value.fields
    assert not RiskClause.objects.exists()


def test_a_supplier_with_history_cannot_be_deleted(world):
    found = review(world, 1).supplier
    with pytest.raises(InvalidInput):
        services.supplier_delete(
            supplier=found, expected_version=found.version, actor=world.users["editor"]
        )
    backup = clause(world).backup
    with pytest.raises(InvalidInput):
        services.supplier_delete(
            supplier=backup, expected_version=backup.version, actor=world.users["editor"]
        )


# --- innovation fund ---------------------------------------------------------------------------


def test_project_budgets_never_exceed_the_fund(world):
    fund(world, D("100000"))
    project(world, D("60000"))
    with pytest.raises(InvalidInput) as error:
        services.project_create(
            plan=world.plan,
            actor=world.users["editor"],
            name="Live format",
            budget=D("40000.01"),
            status="idea",
        )
    assert "40,000.00" in str(error.value.fields["budget"][0])
    services.project_create(
        plan=world.plan,
        actor=world.users["editor"],
        name="Live format",
        budget=D("40000"),
        status="idea",
    )
    first = InnovationProject.objects.get(name="Recyclable lid")
    with pytest.raises(InvalidInput):
        services.project_update(
            project=first,
            expected_version=first.version,
            changes={"budget": D("60000.01")},
            actor=world.users["editor"],
        )
    current = services.fund_for(world.plan)
    with pytest.raises(InvalidInput) as error:
        services.fund_update(
            plan=world.plan,
            expected_version=current.version,
            actor=world.users["editor"],
            amount=D("99999.99"),
        )
    assert "amount" in error.value.fields
    assert queries.fund_summary(world.plan).left == D("0")


def test_project_suppliers_must_be_of_the_workspace(world):
    fund(world)
    with pytest.raises(InvalidInput) as error:
        services.project_create(
            plan=world.plan,
            actor=world.users["editor"],
            name="X",
            budget=D("1"),
            status="idea",
            suppliers=[supplier(world, "Rival", other=True)],
        )
    assert "suppliers" in error.value.fields


# --- API ---------------------------------------------------------------------------------------


def test_api_review_recomputes_the_flag_and_reports_score(world, api_for):
    api = api_for("editor")
    who = supplier(world)
    for quarter in (1, 2):
        response = api.post(
            "/api/v1/supplier-reviews/",
            {
                "supplier": who.pk,
                "plan": world.plan.pk,
                "quarter": quarter,
                "quality": 62,
                "timeliness": 55,
                "compliance": 70,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["score"] == 62.3 and response.json()["passed"] is False
    rows = api.get(f"/api/v1/supplier-flags/?plan={world.plan.pk}&status=open").json()["results"]
    assert [(r["supplier"], r["failed_quarters"]) for r in rows] == [(who.pk, [1, 2])]


def test_api_read_only_fields_are_not_applied(world, api_for):
    found = review(world, 1, FAIL)
    response = api_for("editor").patch(
        f"/api/v1/supplier-reviews/{found.pk}/",
        {"score": "99.0", "passed": True, "plan": world.other_plan.pk, "comment": "late"},
        format="json",
        HTTP_IF_MATCH=f'"{found.version}"',
    )
    assert response.status_code == 200
    found.refresh_from_db()
    assert (found.score, found.passed, found.plan_id, found.comment) == (
        D("50.0"),
        False,
        world.plan.pk,
        "late",
    )


def test_api_needs_if_match_and_refuses_stale_writes(world, api_for):
    who = supplier(world)
    api = api_for("editor")
    url = f"/api/v1/suppliers/{who.pk}/"
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 428
    assert api.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH='"99"').status_code == 412
    ok = api.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH=f'"{who.version}"')
    assert ok.status_code == 200 and ok["ETag"] == f'"{who.version + 1}"'
    policy_url = f"/api/v1/plans/{world.plan.pk}/supplier-policy/"
    body = api.get(policy_url).json()
    assert api.put(policy_url, body, format="json").status_code == 428


def test_api_cross_workspace_ids_are_refused(world, api_for):
    theirs = supplier(world, "Rival Print", other=True)
    api = api_for("editor")
    backup = api.post(
        "/api/v1/supplier-clauses/",
        {"supplier": supplier(world).pk, "kind": "backup", "backup": theirs.pk},
        format="json",
    )
    assert backup.status_code == 400 and "backup" in backup.json()["fields"]
    reviewed = api.post(
        "/api/v1/supplier-reviews/",
        {
            "supplier": theirs.pk,
            "plan": world.plan.pk,
            "quarter": 1,
            "quality": 1,
            "timeliness": 1,
            "compliance": 1,
        },
        format="json",
    )
    assert reviewed.status_code == 400 and "supplier" in reviewed.json()["fields"]
    fund(world)
    projected = api.post(
        "/api/v1/innovation-projects/",
        {"plan": world.plan.pk, "name": "X", "budget": "1", "suppliers": [theirs.pk]},
        format="json",
    )
    assert projected.status_code == 400 and "suppliers" in projected.json()["fields"]
    assert not RiskClause.objects.exists() and not SupplierReview.objects.exists()
    assert not InnovationProject.objects.exists()


def test_api_supplier_tier_by_plan_policy(world, api_for):
    who = supplier(world, qualification_score=90, capability_score=90)
    review(world, 1, PASS, who=who)
    body = api_for("viewer").get(f"/api/v1/suppliers/?plan={world.plan.pk}").json()["results"]
    assert [(r["name"], r["tier"], r["past_performance"]) for r in body] == [
        ("Swift Print", "strategic", 90.0)
    ]
    outsider = api_for("outsider").get("/api/v1/suppliers/").json()["results"]
    assert outsider == []


def test_api_fund_limit_error_names_the_field(world, api_for):
    fund(world, D("1000"))
    response = api_for("editor").post(
        "/api/v1/innovation-projects/",
        {"plan": world.plan.pk, "name": "Too big", "budget": "1000.01", "status": "idea"},
        format="json",
    )
    assert response.status_code == 400
    assert "budget" in response.json()["fields"]


# --- pages ---------------------------------------------------------------------------------------


def test_list_and_scorecard_show_tier_streak_and_flag(world, client_for):
    flag(world)
    clause(world)
    client = client_for("manager")
    listing = client.get(f"/plans/{world.plan.pk}/budget/suppliers/").content.decode()
    assert "Swift Print" in listing and "Flagged suppliers" in listing
    assert "2 failed in a row" in listing
    card = client.get(f"/plans/{world.plan.pk}/budget/suppliers/{supplier(world).pk}/")
    text = card.content.decode()
    assert "supplier-scores-figure" in text  # the chart's data
    assert "Resolve the flag" in text and "Green Leaf" in text
    viewer_card = client_for("viewer").get(
        f"/plans/{world.plan.pk}/budget/suppliers/{supplier(world).pk}/"
    )
    assert b"Resolve the flag" not in viewer_card.content


def test_flagged_card_partial(world, client_for):
    from django.template.loader import render_to_string

    assert "No supplier is flagged" in render_to_string(
        "budget/flagged_suppliers_card.html", queries.flagged_card_context(world.plan)
    )
    flag(world)
    html = render_to_string(
        "budget/flagged_suppliers_card.html", queries.flagged_card_context(world.plan)
    )
    assert "Swift Print" in html and "Q1, Q2" in html


def test_page_review_edit_with_a_stale_version_shows_the_saved_values(world, client_for):
    found = review(world, 1, FAIL)
    url = f"/plans/{world.plan.pk}/budget/suppliers/reviews/{found.pk}/"
    body = {"quarter": 1, "quality": 90, "timeliness": 90, "compliance": 90}
    stale = client_for("editor").post(url, {**body, "version": found.version + 5})
    assert stale.status_code == 409
    found.refresh_from_db()
    assert found.quality == 50
    fresh = client_for("editor").post(url, {**body, "version": found.version})
    assert fresh.status_code == 302
    found.refresh_from_db()
    assert (found.quality, found.passed) == (90, True)


def test_page_flag_resolution_needs_a_resolution(world, client_for):
    open_flag = flag(world)
    url = f"/plans/{world.plan.pk}/budget/suppliers/flags/{open_flag.pk}/"
    client = client_for("manager")
    missing = client.post(
        url, {"action": "correction", "resolve": "1", "version": open_flag.version}
    )
    assert missing.status_code == 400 and b"Say how the flag was resolved" in missing.content
    done = client.post(
        url,
        {
            "action": "correction",
            "resolution": "Fixed",
            "resolve": "1",
            "version": open_flag.version,
        },
    )
    assert done.status_code == 302
    assert SupplierFlag.objects.get().status == FlagStatus.RESOLVED


def test_page_fund_limit_error_is_shown(world, client_for):
    fund(world, D("1000"))
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/budget/suppliers/innovation/projects/new/",
        {"name": "Too big", "budget": "2000", "status": "idea"},
    )
    assert response.status_code == 400
    assert b"at most" in response.content
    assert not InnovationProject.objects.exists()
