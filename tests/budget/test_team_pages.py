"""Pages of collaboration: the matrix with in-place row edits (htmx, versioned), the
department review with its chart, scoring, conflicts."""

from __future__ import annotations

import re

from budget.models.teams import CollaborationScore, Conflict, Workstream
from tests.budget.teams_helpers import (
    conflict,
    department,
    departments,
    group,
    rule,
    score,
    workstream,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(world, suffix=""):
    return f"/plans/{world.plan.pk}/budget/collaboration/{suffix}"


def row_form(world, roles, **extra):
    brand, growth, fin = departments(world)
    data = {"kind": "milestone", "name": "Mid-year review", "sort_order": 0, **extra}
    for dept, role in zip((brand, growth, fin), roles, strict=True):
        data[f"cell_{dept.pk}"] = role
    return data


def test_the_page_shows_the_matrix_rules_path_and_scores(world, client_for):
    workstream(world)
    rule(world)
    group(world)
    conflict(world)
    score(world)
    html = client_for("viewer").get(page_url(world)).content.decode()
    assert "Mid-year review" in html
    assert re.search(r'class="raci raci-A"[^>]*title="Brand marketing"', html)
    assert "Weekly sync" in html and "Coordination committee" in html
    assert "Douyin budget vs. brand film" in html
    assert "75.0" in html
    # a viewer gets no editing controls
    assert "?edit=1" not in html and "Add a workstream" not in html


def test_editors_get_the_controls(world, client_for):
    workstream(world)
    html = client_for("editor").get(page_url(world)).content.decode()
    assert "?edit=1" in html and "Add a workstream" in html
    # only managers score
    assert "/scores/1/" not in html
    assert "/scores/1/" in client_for("manager").get(page_url(world)).content.decode()


def test_a_row_is_edited_in_place(world, client_for):
    stream = workstream(world)
    client = client_for("editor")
    url = page_url(world, f"workstreams/{stream.pk}/")
    editor = client.get(url + "?edit=1", **HTMX)
    assert editor.status_code == 200
    html = editor.content.decode()
    assert "<html" not in html and 'name="version"' in html and "hx-post" in html
    saved = client.post(url, row_form(world, "RAI", version=1), **HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert "<html" not in html and 'class="raci raci-A" title="Growth"' in html
    stream.refresh_from_db()
    assert stream.version == 2


def test_a_stale_row_save_shows_the_saved_values_and_writes_nothing(world, client_for):
    stream = workstream(world)
    client = client_for("editor")
    url = page_url(world, f"workstreams/{stream.pk}/")
    client.post(url, row_form(world, "RAI", version=1), **HTMX)
    # htmx swaps only 2xx answers, so the row comes back in place as 200; without htmx, 409
    assert client.post(url, row_form(world, "ARC", version=1)).status_code == 409
    stale = client.post(url, row_form(world, "ARC", name="Mine", version=1), **HTMX)
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "Someone changed this workstream in the meantime" in html
    # the form shows what is saved now: Growth accountable, version 2
    assert re.search(r'name="version" value="2"', html)
    assert re.search(r'<option value="A" selected>', html)
    stream.refresh_from_db()
    assert stream.name == "Mid-year review" and stream.version == 2


def test_an_invalid_row_names_the_rule_and_saves_nothing(world, client_for):
    stream = workstream(world)
    response = client_for("editor").post(
        page_url(world, f"workstreams/{stream.pk}/"),
        row_form(world, "AAR", name="Renamed", version=1),
        **HTMX,
    )
    assert response.status_code == 200  # swapped in place by htmx
    assert "Exactly one department is accountable (A); there are 2." in response.content.decode()
    stream.refresh_from_db()
    assert stream.name == "Mid-year review" and stream.version == 1


def test_removing_a_row_in_place_reloads_the_page(world, client_for):
    stream = workstream(world)
    response = client_for("editor").post(
        page_url(world, f"workstreams/{stream.pk}/"), {"delete": "1", "version": 1}, **HTMX
    )
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert not Workstream.objects.filter(pk=stream.pk).exists()


def test_adding_a_workstream_from_the_page(world, client_for):
    response = client_for("editor").post(
        page_url(world, "workstreams/new/"), row_form(world, "ARI", name="Double 11")
    )
    assert response.status_code == 302
    assert Workstream.objects.get(name="Double 11").cells.count() == 3
    bad = client_for("editor").post(
        page_url(world, "workstreams/new/"), row_form(world, "CCI", name="Broken")
    )
    assert bad.status_code == 400
    assert "At least one department is responsible (R)." in bad.content.decode()
    assert not Workstream.objects.filter(name="Broken").exists()


def test_the_department_review_shows_the_trend_load_and_conflicts(world, client_for):
    workstream(world)
    score(world)
    conflict(world)
    html = client_for("viewer").get(page_url(world, f"departments/{department(world).pk}/"))
    html = html.content.decode()
    assert 'data-chart="score-trend"' in html and 'id="score-trend"' in html
    assert "Douyin budget vs. brand film" in html
    assert "Accountable (A)" in html


def test_a_manager_scores_a_quarter_from_the_page(world, client_for):
    url = page_url(world, f"departments/{department(world).pk}/scores/2/")
    data = {
        "responsiveness": 5,
        "delivery": 5,
        "communication": 5,
        "conflict_handling": 1,
        "version": 0,
    }
    assert client_for("editor").post(url, data).status_code == 403
    response = client_for("manager").post(url, data)
    assert response.status_code == 302
    assert CollaborationScore.objects.get(quarter=2).score == 80
    # a second "new" score for the quarter is a stale save: the saved one is shown
    again = client_for("manager").post(url, {**data, "delivery": 1})
    assert again.status_code == 409
    assert CollaborationScore.objects.get(quarter=2).score == 80


def test_deleting_a_department_in_the_raci_shows_why(world, client_for):
    workstream(world)
    brand = department(world)
    response = client_for("editor").post(
        page_url(world, f"departments/{brand.pk}/edit/"),
        {"delete": "1", "version": brand.version, "name": brand.name, "code": brand.code},
    )
    assert response.status_code == 400
    assert "RACI" in response.content.decode()


def test_resolving_without_an_outcome_is_refused_with_a_message(world, client_for):
    found = conflict(world)
    client = client_for("editor")
    response = client.post(
        page_url(world, f"conflicts/{found.pk}/"),
        {"action": "resolve", "outcome": "", "version": found.version},
        follow=True,
    )
    assert "Record what was decided." in response.content.decode()
    found.refresh_from_db()
    assert found.status == "open"
    client.post(
        page_url(world, f"conflicts/{found.pk}/"),
        {"action": "resolve", "outcome": "Split", "version": found.version},
    )
    assert Conflict.objects.get(pk=found.pk).status == "resolved"


def test_a_conflict_is_corrected_on_its_edit_page_with_a_version(world, client_for):
    found = conflict(world)
    url = page_url(world, f"conflicts/{found.pk}/edit/")
    client = client_for("editor")
    form = client.get(url).content.decode()
    assert 'name="version"' in form and "raised_at" not in form
    brand, growth, fin = departments(world)
    data = {"title": "Budget split", "departments": [brand.pk, growth.pk, fin.pk]}
    assert client.post(url, {**data, "version": found.version}).status_code == 302
    found.refresh_from_db()
    assert found.title == "Budget split" and found.departments.count() == 3
    stale = client.post(url, {**data, "title": "Mine", "version": 1})
    assert stale.status_code == 409
    assert "Someone changed this in the meantime" in stale.content.decode()
    assert Conflict.objects.get(pk=found.pk).title == "Budget split"
