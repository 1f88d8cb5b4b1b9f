"""Pages: in-place editing with htmx, stale saves, lifecycle buttons, history."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner import services
from planner.models import Plan
from tests.factories import PlanFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def fields_post(plan, **overrides):
    data = {
        "name": plan.name,
        "year": plan.year,
        "currency": plan.currency,
        "description": "",
        "version": plan.version,
    }
    return data | overrides


def test_one_url_serves_page_and_fragment(world, client_for):
    client = client_for("editor")
    page = client.get(f"/plans/{world.plan.pk}/fields/")
    fragment = client.get(f"/plans/{world.plan.pk}/fields/", **HTMX)
    assert b"<html" in page.content and b'id="plan-card"' in page.content
    assert b"<html" not in fragment.content and fragment.content.strip().startswith(
        b'<section class="card" id="plan-card">'
    )
    assert b'name="version"' in fragment.content
    assert "HX-Request" in fragment["Vary"]


def test_htmx_save_returns_the_card_with_the_new_values(world, client_for):
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/fields/", fields_post(world.plan, name="Renamed"), **HTMX
    )
    assert response.status_code == 200
    assert b"Renamed" in response.content and b"<form" not in response.content
    assert Plan.objects.get(pk=world.plan.pk).name == "Renamed"
    # the title, breadcrumb and sidebar follow through out-of-band swaps
    content = response.content.decode()
    for element in ("plan-title", "crumb-plan", "chip-plan-name", "chip-plan-meta"):
        assert re.search(rf'<\w+[^>]*id="{element}"[^>]*hx-swap-oob="true"', content), element
    assert re.search(r'id="plan-title" hx-swap-oob="true">Renamed <', content)


def test_save_without_javascript_redirects_to_the_overview(world, client_for):
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/fields/", fields_post(world.plan, name="Renamed")
    )
    assert response.status_code == 302 and response["Location"] == f"/plans/{world.plan.pk}/"


def test_stale_save_shows_current_values_and_overwrites_nothing(world, client_for):
    # given a manager saved the plan after the editor opened the form
    services.plan_update(
        plan=world.plan,
        expected_version=1,
        changes={"name": "Manager's name"},
        actor=world.users["manager"],
    )
    # when the editor saves with the version the form was rendered with
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/fields/",
        fields_post(world.plan, name="Editor's name", version=1),
        **HTMX,
    )
    # then nothing is overwritten and the form shows the saved value and the editor's
    content = response.content.decode()
    assert Plan.objects.get(pk=world.plan.pk).name == "Manager's name"
    assert 'class="conflict"' in content
    assert "Editor&#x27;s name" in content and 'value="Manager&#x27;s name"' in content
    assert 'name="version" value="2"' in content


def test_invalid_save_shows_field_errors(world, client_for):
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/fields/", fields_post(world.plan, year=1800)
    )
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert Plan.objects.get(pk=world.plan.pk).year == 2027


def test_viewer_sees_no_edit_or_lifecycle_controls(world, client_for):
    content = client_for("viewer").get(f"/plans/{world.plan.pk}/").content.decode()
    assert f"/plans/{world.plan.pk}/fields/" not in content
    assert "plan-transition" not in content and "/transition/" not in content


def test_editor_sees_submit_and_manager_sees_approve(world, client_for):
    assert (
        "Submit for review" in client_for("editor").get(f"/plans/{world.plan.pk}/").content.decode()
    )
    services.plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    content = client_for("manager").get(f"/plans/{world.plan.pk}/").content.decode()
    assert "Approve" in content and "Send back" in content


def test_transition_form_moves_the_plan_and_flashes_the_status(world, client_for):
    client = client_for("editor")
    response = client.post(
        f"/plans/{world.plan.pk}/transition/", {"action": "submit", "version": 1}, follow=True
    )
    assert Plan.objects.get(pk=world.plan.pk).status == "in_review"
    assert "In review" in response.content.decode()


def test_editor_trying_to_approve_gets_403(world, client_for):
    services.plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/transition/", {"action": "approve", "version": 2}
    )
    assert response.status_code == 403
    assert Plan.objects.get(pk=world.plan.pk).status == "in_review"


def test_create_plan_page_creates_from_template(world, client_for):
    response = client_for("editor").post(
        "/w/lumi/plans/new/",
        {"name": "Scenario B", "year": 2028, "currency": "USD", "description": ""},
    )
    plan = Plan.objects.get(name="Scenario B")
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.currency == "USD" and plan.channels.count() > 10


def test_history_page_shows_who_changed_what(world, client_for):
    services.plan_update(
        plan=world.plan,
        expected_version=1,
        changes={"name": "Renamed"},
        actor=world.users["editor"],
    )
    content = client_for("viewer").get(f"/plans/{world.plan.pk}/history/").content.decode()
    assert (
        "editor-user" in content
        and "<del>Annual plan</del>" in content
        and "<ins>Renamed</ins>" in content
    )


def test_member_admin_changes_a_role_with_version(world, client_for):
    from planner.models import Membership

    viewer = Membership.objects.get(user=world.users["viewer"])
    client = client_for("admin")
    client.post(f"/w/lumi/members/{viewer.pk}/", {"role": "editor", "version": viewer.version})
    viewer.refresh_from_db()
    assert viewer.role == "editor" and viewer.version == 2
    # a second save with the old version is refused
    response = client.post(
        f"/w/lumi/members/{viewer.pk}/", {"role": "manager", "version": 1}, follow=True
    )
    viewer.refresh_from_db()
    assert viewer.role == "editor"
    assert "in the meantime" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/w/lumi/"])
def test_list_pages_query_count_does_not_grow_with_plans(world, client_for, path):
    client = client_for("editor")
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for year in range(2030, 2040):
        PlanFactory(workspace=world.workspace, year=year)
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many) == len(few) <= 12


def test_overview_query_count_is_bounded(world, client_for):
    client = client_for("editor")
    client.get(f"/plans/{world.plan.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/plans/{world.plan.pk}/")
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_database_outage_gives_a_503_page_not_a_traceback(client_for, world, monkeypatch):
    from django.db import OperationalError

    client = client_for("editor")

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("planner.views.queries.workspaces_with_plans", down)
    response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert b"Traceback" not in response.content
    assert "The database is unavailable" in response.content.decode()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503 and "数据库" in response.content.decode()


def test_database_outage_gives_the_api_a_503_in_json_in_the_callers_language(api_for, monkeypatch):
    from django.db import OperationalError

    client = api_for("editor")

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("planner.api.PlanViewSet.list", down)
    response = client.get("/api/v1/plans/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "service_unavailable" and "数据库" in body["detail"]


def test_history_page_covers_goals_channels_and_creators(world, client_for):
    from decimal import Decimal

    from channels import services as channel_services
    from kpis import services as kpi_services
    from tests.channels.helpers import cell, creator

    editor = world.users["editor"]
    kpi = kpi_services.kpi_create(
        plan=world.plan, actor=editor, kind="cac", annual_target=Decimal(60)
    )
    kpi_services.kpi_update(
        kpi=kpi, expected_version=kpi.version, changes={"annual_target": Decimal(55)}, actor=editor
    )
    c = cell(world)
    channel_services.channel_plan_save(
        channel=c.channel,
        quarter=1,
        changes={"budget": Decimal(120000)},
        expected_version=c.version,
        actor=editor,
    )
    creator(world)
    client = client_for("viewer")
    client.get(f"/plans/{world.plan.pk}/history/")
    with CaptureQueriesContext(connection) as queries:
        content = client.get(f"/plans/{world.plan.pk}/history/").content.decode()
    assert "Customer acquisition cost (CAC) (cac)" in content and "<del>60" in content
    assert "Douyin Q1" in content and "<ins>120000" in content
    assert "Tea Master Lin" in content
    assert len(queries) <= 25


def test_api_errors_are_in_the_callers_language(api_for):
    client = api_for("editor")
    response = client.post("/api/v1/plans/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and response.json()["detail"] == "输入无效。"
    response = client.get("/api/v1/plans/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404 and response.json()["detail"] == "未找到。"
    response = client.get("/api/v1/plans/999999/")
    assert response.json()["detail"] == "Not found."
