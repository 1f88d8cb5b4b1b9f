"""The execution API: derived status in lists, cross-workspace ids, If-Match, read-only
fields, and a stale save on a page."""

from __future__ import annotations

from datetime import date

from kpis import services as kpi_services
from planner.execution.models import Milestone, Playbook, Risk
from tests.kpis.trees import small_tree
from tests.planner.execution.helpers import milestone, playbook, risk


def _other_plan_kpi(world):
    return kpi_services.kpi_create(
        plan=world.other_plan, actor=world.users["outsider"], kind="cac", annual_target=60
    )


def test_milestone_list_filters_by_plan_and_quarter_with_derived_status(world, api_for):
    milestone(world)  # Q2
    response = api_for("viewer").get(f"/api/v1/milestones/?plan={world.plan.pk}&quarter=2")
    rows = response.json()["results"]
    assert len(rows) == 1 and rows[0]["quarter"] == 2
    assert rows[0]["status"] == rows[0]["derived"]["status"] in {"not_started", "on_track", "late"}
    assert (
        api_for("viewer")
        .get(f"/api/v1/milestones/?plan={world.plan.pk}&quarter=1")
        .json()["results"]
        == []
    )


def test_kpi_of_another_workspace_or_plan_is_refused_and_nothing_written(world, api_for):
    client = api_for("editor")
    body = {
        "plan": world.plan.pk,
        "quarter": 1,
        "title": "Spring",
        "start": "2027-01-01",
        "due": "2027-03-31",
    }
    foreign = client.post("/api/v1/milestones/", body | {"kpis": [_other_plan_kpi(world).pk]})
    assert foreign.status_code == 400 and "kpis" in foreign.json()["fields"]
    from tests.factories import PlanFactory

    sibling = PlanFactory(workspace=world.workspace, name="Scenario B")
    sibling_kpi = kpi_services.kpi_create(
        plan=sibling, actor=world.users["editor"], kind="cac", annual_target=60
    )
    same_ws = client.post("/api/v1/milestones/", body | {"kpis": [sibling_kpi.pk]})
    assert same_ws.status_code == 400 and "kpis" in same_ws.json()["fields"]
    other_plan = client.post("/api/v1/milestones/", body | {"plan": world.other_plan.pk})
    assert other_plan.status_code == 400
    assert not Milestone.objects.exists()
    ok = client.post("/api/v1/milestones/", body | {"kpis": [small_tree(world)["cac"].pk]})
    assert ok.status_code == 201 and ok["ETag"] == '"1"'


def test_playbook_of_another_workspace_on_a_risk_is_refused(world, api_for):
    foreign = Playbook.objects.create(plan=world.other_plan, title="Theirs", scenario="x")
    response = api_for("editor").patch(
        f"/api/v1/risks/{risk(world).pk}/",
        {"playbook": foreign.pk},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert Risk.objects.get().playbook is None


def test_if_match_is_required_and_checked(world, api_for):
    client = api_for("editor")
    url = f"/api/v1/milestones/{milestone(world).pk}/"
    assert client.patch(url, {"title": "x"}, format="json").status_code == 428
    stale = client.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    override = f"/api/v1/milestones/{milestone(world).pk}/override/"
    assert (
        client.post(override, {"status": "late", "reason": "r"}, format="json").status_code == 428
    )
    done = client.post(
        override, {"status": "late", "reason": "Launch moved"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert done.status_code == 200 and done.json()["status"] == "late"
    assert done.json()["override_by"] == "editor-user" and done["ETag"] == '"2"'
    no_reason = client.post(override, {"status": "late"}, format="json", HTTP_IF_MATCH='"2"')
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]


def test_read_only_fields_are_never_applied(world, api_for):
    found = milestone(world)
    response = api_for("editor").patch(
        f"/api/v1/milestones/{found.pk}/",
        {"title": "New title", "override_status": "done", "version": 99, "plan": 12345},
        format="json",
        HTTP_IF_MATCH=f'"{found.version}"',
    )
    assert response.status_code == 200
    found.refresh_from_db()
    assert found.title == "New title" and found.override_status == "" and found.version == 2
    assert found.plan_id == world.plan.pk


def test_playbook_api_writes_steps_and_logs_drills(world, api_for):
    client = api_for("editor")
    created = client.post(
        "/api/v1/playbooks/",
        {
            "plan": world.plan.pk,
            "title": "Platform policy change",
            "scenario": "Douyin limits livestream coupons.",
            "steps": [
                {"role": "Channel lead", "response_minutes": 60},
                {"role": "Marketing director", "person": "Wang", "response_minutes": 240},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [s["order"] for s in body["steps"]] == [1, 2]
    drill = client.post(
        f"/api/v1/playbooks/{body['id']}/drills/",
        {"held_on": "2026-10-10", "participants": "Channel team"},
        format="json",
    )
    assert drill.status_code == 201 and drill.json()["recorded_by"] == "editor-user"
    assert len(client.get(f"/api/v1/playbooks/{body['id']}/").json()["drills"]) == 1


def test_a_stale_page_save_shows_the_current_values(world, client_for):
    found = playbook(world)
    url = f"/plans/{world.plan.pk}/execution/playbooks/{found.pk}/edit/"
    form = {
        "title": "Renamed",
        "scenario": "x",
        "steps": "",
        "version": found.version + 3,
    }
    response = client_for("editor").post(url, form)
    assert response.status_code == 409
    assert "PR crisis" in response.content.decode()
    assert Playbook.objects.get().title == "PR crisis"


def test_milestone_form_page_creates_in_a_draft_only(world, client_for):
    url = f"/plans/{world.plan.pk}/execution/milestones/new/"
    form = {"title": "Spring", "quarter": "1", "start": "2027-01-01", "due": "2027-03-31"}
    assert client_for("editor").post(url, form).status_code == 302
    world.plan.status = "approved"
    world.plan.save(update_fields=["status"])
    response = client_for("editor").post(url, form | {"title": "Summer"})
    assert response.status_code == 400
    assert list(Milestone.objects.values_list("title", flat=True)) == ["Spring"]
    assert date(2027, 1, 1) == Milestone.objects.get().start


def test_playbook_names_the_alert_rules_that_trigger_it(world, api_for):
    from monitoring.models import AlertRule
    from tests.monitoring import seed

    ours = seed.rule(world, name="Negative voice")
    theirs = AlertRule.objects.create(
        plan=world.other_plan, name="Theirs", metric="spend", kind="bounds", upper=1.0
    )
    found = playbook(world)
    client = api_for("editor")
    url = f"/api/v1/playbooks/{found.pk}/"
    refused = client.patch(
        url, {"alert_rules": [theirs.pk]}, format="json", HTTP_IF_MATCH=f'"{found.version}"'
    )
    assert refused.status_code == 400 and "alert_rules" in refused.json()["fields"]
    linked = client.patch(
        url, {"alert_rules": [ours.pk]}, format="json", HTTP_IF_MATCH=f'"{found.version}"'
    )
    assert linked.status_code == 200 and linked.json()["alert_rules"] == [ours.pk]
    ours.refresh_from_db()
    assert ours.playbook_id == found.pk and ours.version == 2
    client.patch(url, {"alert_rules": []}, format="json", HTTP_IF_MATCH=f'"{found.version + 1}"')
    ours.refresh_from_db()
    assert ours.playbook_id is None
