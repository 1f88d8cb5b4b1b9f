"""API of collaboration: the nested RACI shape, validation as a whole, cross-workspace ids,
If-Match, read-only fields, conflicts' escalate / resolve and scores."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from budget.models.teams import (
    CollaborationScore,
    CommunicationRule,
    Conflict,
    CoordinatorGroup,
    Workstream,
)
from tests.budget.teams_helpers import (
    conflict,
    department,
    departments,
    other_department,
    score,
    step,
    workstream,
)


def etag(obj) -> dict[str, str]:
    obj.refresh_from_db()
    return {"HTTP_IF_MATCH": f'"{obj.version}"'}


def cells(world, roles=("A", "R", "I")):
    return [{"department": d.pk, "role": r} for d, r in zip(departments(world), roles, strict=True)]


def test_raci_rows_carry_their_cells_and_an_etag(world, api_for):
    stream = workstream(world)
    response = api_for("viewer").get(f"/api/v1/raci/?plan={world.plan.pk}")
    assert response.status_code == 200
    [row] = response.json()["results"]
    brand, growth, fin = departments(world)
    assert row["kind"] == "milestone" and row["name"] == "Mid-year review"
    assert sorted(row["cells"], key=lambda c: c["department"]) == sorted(
        [
            {"department": brand.pk, "role": "A"},
            {"department": growth.pk, "role": "R"},
            {"department": fin.pk, "role": "C"},
        ],
        key=lambda c: c["department"],
    )
    detail = api_for("viewer").get(f"/api/v1/raci/{stream.pk}/")
    assert detail["ETag"] == '"1"'
    # the outsider's list does not show it
    assert api_for("outsider").get("/api/v1/raci/").json()["results"] == []


def test_creating_a_row_with_two_accountable_departments_writes_nothing(world, api_for):
    response = api_for("editor").post(
        "/api/v1/raci/",
        {"plan": world.plan.pk, "kind": "milestone", "name": "X", "cells": cells(world, "AAR")},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["cells"] == [
        "Exactly one department is accountable (A); there are 2."
    ]
    assert not Workstream.objects.exists()


def test_another_workspaces_department_in_a_cell_is_a_400_and_writes_nothing(world, api_for):
    body = {
        "plan": world.plan.pk,
        "kind": "milestone",
        "name": "X",
        "cells": [*cells(world), {"department": other_department(world).pk, "role": "C"}],
    }
    response = api_for("editor").post("/api/v1/raci/", body, format="json")
    assert response.status_code == 400
    assert "cells" in response.json()["fields"]
    assert not Workstream.objects.exists()


def test_another_plans_campaign_or_channel_is_a_400(world, api_for):
    rival_channel = world.other_plan.channels.first()
    response = api_for("editor").post(
        "/api/v1/raci/",
        {
            "plan": world.plan.pk,
            "kind": "channel",
            "channel": rival_channel.pk,
            "cells": cells(world),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "channel" in response.json()["fields"]
    assert not Workstream.objects.exists()


def test_a_department_listed_twice_is_refused(world, api_for):
    brand = department(world)
    body = {
        "plan": world.plan.pk,
        "kind": "other",
        "name": "X",
        "cells": [{"department": brand.pk, "role": "A"}, {"department": brand.pk, "role": "R"}],
    }
    response = api_for("editor").post("/api/v1/raci/", body, format="json")
    assert response.status_code == 400
    assert not Workstream.objects.exists()


def test_updates_need_if_match_and_a_stale_one_is_refused(world, api_for):
    stream = workstream(world)
    url = f"/api/v1/raci/{stream.pk}/"
    client = api_for("editor")
    assert client.patch(url, {"name": "Y"}, format="json").status_code == 428
    assert client.patch(url, {"name": "Y"}, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = client.patch(url, {"cells": cells(world, "RAI")}, format="json", **etag(stream))
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert {c["role"] for c in response.json()["cells"]} == {"R", "A", "I"}
    stale = client.patch(url, {"name": "Z"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    stream.refresh_from_db()
    assert stream.name == "Mid-year review"


def test_an_invalid_update_changes_neither_row_nor_cells(world, api_for):
    stream = workstream(world)
    response = api_for("editor").patch(
        f"/api/v1/raci/{stream.pk}/",
        {"name": "Renamed", "cells": cells(world, "CCI")},
        format="json",
        **etag(stream),
    )
    assert response.status_code == 400
    assert len(response.json()["fields"]["cells"]) == 2
    stream.refresh_from_db()
    assert stream.name == "Mid-year review" and stream.version == 1
    assert {c.role for c in stream.cells.all()} == {"A", "R", "C"}


def test_read_only_fields_are_never_applied(world, api_for):
    stream = workstream(world)
    response = api_for("editor").patch(
        f"/api/v1/raci/{stream.pk}/",
        {"plan": world.other_plan.pk, "id": 999, "version": 50, "sort_order": 3},
        format="json",
        **etag(stream),
    )
    assert response.status_code == 200
    stream.refresh_from_db()
    assert stream.plan_id == world.plan.pk and stream.pk != 999
    assert stream.version == 2 and stream.sort_order == 3


def test_departments_of_another_workspace_are_invisible(world, api_for):
    other = other_department(world)
    client = api_for("editor")
    assert client.get(f"/api/v1/departments/{other.pk}/").status_code == 404
    response = client.post(
        "/api/v1/departments/",
        {"workspace": world.other_workspace.pk, "code": "X", "name": "X"},
        format="json",
    )
    assert response.status_code == 400 and "workspace" in response.json()["fields"]


def test_deleting_a_department_in_use_is_refused_with_the_reason(world, api_for):
    workstream(world)
    brand = department(world)
    response = api_for("editor").delete(f"/api/v1/departments/{brand.pk}/", **etag(brand))
    assert response.status_code == 400
    assert "RACI" in response.json()["detail"]


def test_a_rule_with_another_workspaces_owner_is_a_400(world, api_for):
    response = api_for("editor").post(
        "/api/v1/communication-rules/",
        {
            "plan": world.plan.pk,
            "kind": "meeting",
            "name": "Sync",
            "cadence": "weekly",
            "owner": other_department(world).pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()["fields"]
    assert not CommunicationRule.objects.exists()


def test_the_coordinator_group_is_one_per_plan(world, api_for):
    client = api_for("editor")
    body = {"plan": world.plan.pk, "name": "Committee", "departments": [department(world).pk]}
    first = client.post("/api/v1/coordinator-groups/", body, format="json")
    assert first.status_code == 201 and first.json()["departments"] == [department(world).pk]
    again = client.post("/api/v1/coordinator-groups/", body, format="json")
    assert again.status_code == 400
    foreign = client.post(
        "/api/v1/coordinator-groups/",
        {**body, "departments": [other_department(world).pk]},
        format="json",
    )
    assert foreign.status_code == 400
    assert CoordinatorGroup.objects.count() == 1


def test_conflicts_escalate_and_resolve_with_if_match(world, api_for):
    found = conflict(world)
    client = api_for("editor")
    url = f"/api/v1/conflicts/{found.pk}/"
    assert client.post(url + "escalate/").status_code == 428
    up = client.post(url + "escalate/", **etag(found))
    assert up.status_code == 200
    assert up.json()["step"] == step(world, 2).pk
    last = client.post(url + "escalate/", **etag(found))
    assert last.status_code == 409
    assert client.post(url + "resolve/", {}, format="json", **etag(found)).status_code == 400
    done = client.post(url + "resolve/", {"outcome": "Split 60/40"}, format="json", **etag(found))
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "resolved" and body["resolved_by"] == "editor-user"
    assert body["overdue"] is False and body["due_at"] is None


def test_a_backdated_conflict_is_reported_overdue(world, api_for):
    step(world)
    brand, growth, _fin = departments(world)
    raised = (timezone.now() - timedelta(hours=49)).isoformat()
    response = api_for("editor").post(
        "/api/v1/conflicts/",
        {
            "plan": world.plan.pk,
            "title": "Late",
            "departments": [brand.pk, growth.pk],
            "raised_at": raised,
            "status": "resolved",  # read-only: ignored
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["overdue"] is True and body["status"] == "open"
    assert body["raised_by"] == "editor-user"


def test_a_conflict_with_another_workspaces_department_is_a_400(world, api_for):
    step(world)
    response = api_for("editor").post(
        "/api/v1/conflicts/",
        {
            "plan": world.plan.pk,
            "title": "X",
            "departments": [department(world).pk, other_department(world).pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Conflict.objects.exists()


def test_scores_are_computed_and_written_by_managers_only(world, api_for):
    body = {
        "plan": world.plan.pk,
        "department": department(world).pk,
        "quarter": 2,
        "responsiveness": 5,
        "delivery": 5,
        "communication": 3,
        "conflict_handling": 3,
        "score": "1.0",  # read-only: computed
    }
    assert (
        api_for("editor").post("/api/v1/collaboration-scores/", body, format="json").status_code
        == 403
    )
    response = api_for("manager").post("/api/v1/collaboration-scores/", body, format="json")
    assert response.status_code == 201
    # 25 + 35 + 10 + 10
    assert response.json()["score"] == "80.0"
    bad = api_for("manager").post(
        "/api/v1/collaboration-scores/", {**body, "quarter": 3, "delivery": 9}, format="json"
    )
    assert bad.status_code == 400 and "delivery" in bad.json()["fields"]
    foreign = api_for("manager").post(
        "/api/v1/collaboration-scores/",
        {**body, "quarter": 3, "department": other_department(world).pk},
        format="json",
    )
    assert foreign.status_code == 400
    assert CollaborationScore.objects.count() == 1


def test_a_score_update_recomputes_it(world, api_for):
    given = score(world)
    response = api_for("manager").patch(
        f"/api/v1/collaboration-scores/{given.pk}/",
        {"communication": 5, "quarter": 4},
        format="json",
        **etag(given),
    )
    assert response.status_code == 200
    # 25×¾ + 35×¾ + 20×1 + 20×1; the quarter is not editable
    assert response.json()["score"] == "85.0" and response.json()["quarter"] == 1
