"""Versions on submit and approve, manual snapshots, the compare page and the diff API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction

from kpis import services as kpi_services
from kpis.models import Kpi
from planner import services
from planner.models import PlanVersion, VersionKind
from planner.versions import queries
from planner.versions.services import snapshot_save
from tests.kpis.trees import small_tree


def _approve(world):
    services.plan_transition(plan=world.plan, action="submit", actor=world.users["editor"])
    world.plan.refresh_from_db()
    services.plan_transition(plan=world.plan, action="approve", actor=world.users["manager"])
    world.plan.refresh_from_db()


def _reopen(world):
    services.plan_transition(plan=world.plan, action="reopen", actor=world.users["manager"])
    world.plan.refresh_from_db()


def _retarget(world, code: str, target: str) -> Kpi:
    kpi = Kpi.objects.get(plan=world.plan, code=code)
    return kpi_services.kpi_update(
        kpi=kpi,
        expected_version=kpi.version,
        changes={"annual_target": Decimal(target)},
        actor=world.users["editor"],
    )


def test_submit_and_approve_freeze_a_submitted_version_and_a_baseline(world):
    small_tree(world)
    _approve(world)
    versions = list(PlanVersion.objects.filter(plan=world.plan).order_by("number"))
    assert [(v.number, v.kind) for v in versions] == [
        (1, VersionKind.SUBMITTED),
        (2, VersionKind.BASELINE),
    ]
    assert versions[0].created_by == world.users["editor"]
    assert versions[1].created_by == world.users["manager"]
    kpis = next(t for s in versions[1].data["sections"] for t in s["tables"] if t["key"] == "kpis")
    assert {r["key"]: r["values"]["annual_target"] for r in kpis["rows"]}["budget"] == "1200000"
    assert queries.baseline_of(world.plan) == versions[1]
    # send back creates no version; the next approval is the new baseline
    _reopen(world)
    assert PlanVersion.objects.filter(plan=world.plan).count() == 2
    _approve(world)
    assert queries.baseline_of(world.plan).number == 4


def test_a_version_number_is_unique_per_plan(world):
    snapshot_save(plan=world.plan, actor=world.users["editor"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(plan=world.plan, number=1, kind="snapshot")


def test_changes_since_the_baseline_show_old_new_who_and_when(world, client_for):
    small_tree(world)
    _approve(world)
    _reopen(world)
    _retarget(world, "budget", "1500000")
    kpi_services.kpi_create(
        plan=world.plan, actor=world.users["editor"], kind="cac", code="cac2", name="CAC 2"
    )
    summary = queries.changes_since_baseline(world.plan)
    assert summary is not None and summary.baseline.number == 2
    goals = {s.key: s.count for s in summary.sections}["goals"]
    assert goals >= 2  # the changed KPI (target and its breakdown) and the added one

    comparison = queries.compare(world.plan, "2", "now")
    rows = {(t, r.key): r for s, t, r in comparison.diff.rows()}
    changed = rows[("kpis", "budget")]
    assert changed.change == "changed"
    cell = next(c for c in changed.cells if c.column == "annual_target")
    assert (cell.old, cell.new) == ("1200000", "1500000")
    assert changed.who == "editor-user" and changed.when
    assert rows[("kpis", "cac2")].change == "added"

    page = client_for("viewer").get(f"/plans/{world.plan.pk}/versions/compare/?from=2&to=now")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<del>¥1,200,000</del> → <ins>¥1,500,000</ins>" in html  # a money KPI
    assert "editor-user" in html and "Annual goals" in html

    overview = client_for("viewer").get(f"/plans/{world.plan.pk}/")
    assert 'id="since-baseline"' in overview.content.decode()


def test_the_compare_page_reads_in_chinese(world, client_for):
    small_tree(world)
    snapshot_save(plan=world.plan, actor=world.users["editor"], note="before")
    _retarget(world, "budget", "1500000")
    client = client_for("viewer")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(f"/plans/{world.plan.pk}/versions/compare/?from=1").content.decode()
    assert "年度目标设定" in html and "年度目标值" in html
    assert "<del>¥1,200,000</del> → <ins>¥1,500,000</ins>" in html  # a money KPI
    listing = client.get(f"/plans/{world.plan.pk}/versions/").content.decode()
    assert 'lang="zh-Hans"' in listing and "before" in listing


def test_two_saved_versions_compare_and_an_unknown_version_is_404(world, client_for):
    small_tree(world)
    snapshot_save(plan=world.plan, actor=world.users["editor"])
    _retarget(world, "cac", "70")
    snapshot_save(plan=world.plan, actor=world.users["editor"])
    comparison = queries.compare(world.plan, "1", "2")
    [(section, _table, row)] = [x for x in comparison.diff.rows() if x[1] == "kpis"]
    assert (section, row.key) == ("goals", "cac")
    assert row.who == "editor-user"
    client = client_for("editor")
    assert client.get(f"/plans/{world.plan.pk}/versions/compare/?from=1&to=9").status_code == 404
    assert client.get(f"/plans/{world.plan.pk}/versions/compare/?from=x").status_code == 400
    nothing = client.get(f"/plans/{world.plan.pk}/versions/compare/?from=2&to=now")
    assert 'id="no-changes"' in nothing.content.decode()


def test_the_api_lists_saves_shows_and_diffs_versions(world, api_for):
    small_tree(world)
    editor = api_for("editor")
    base = f"/api/v1/plans/{world.plan.pk}"
    created = editor.post(f"{base}/versions/", {"note": "first"}, format="json")
    assert created.status_code == 201 and created.json()["number"] == 1
    assert created.json()["kind"] == "snapshot" and created.json()["created_by"] == "editor-user"
    assert api_for("viewer").post(f"{base}/versions/", {}, format="json").status_code == 403
    _retarget(world, "budget", "1300000")
    listing = api_for("viewer").get(f"{base}/versions/").json()
    assert [v["number"] for v in listing] == [1] and "data" not in listing[0]
    detail = api_for("viewer").get(f"{base}/versions/1/").json()
    assert detail["data"]["plan"]["name"] == world.plan.name
    assert api_for("viewer").get(f"{base}/versions/7/").status_code == 404
    diff = api_for("viewer").get(f"{base}/diff/?from=1&to=now").json()
    assert diff["old"]["ref"] == "1" and diff["new"]["ref"] == "now"
    goals = next(s for s in diff["sections"] if s["key"] == "goals")
    kpis = next(t for t in goals["tables"] if t["key"] == "kpis")
    [row] = kpis["rows"]
    assert row["key"] == "budget" and row["change"] == "changed" and row["who"] == "editor-user"
    cell = next(c for c in row["cells"] if c["column"] == "annual_target")
    assert (cell["old"], cell["new"]) == ("1200000", "1300000")
    assert api_for("viewer").get(f"{base}/diff/?from=abc").status_code == 400
    assert api_for("outsider").get(f"{base}/diff/?from=1").status_code == 404
