"""The plans and memberships API: ETag / If-Match, transitions, validation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner.models import Plan, PlanStatus
from tests.factories import PlanFactory


def url(world, suffix=""):
    return f"/api/v1/plans/{world.plan.pk}/{suffix}"


def test_token_endpoint_returns_a_token_that_authenticates(world, password, client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "editor-user", "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200 and listed.json()["count"] == 1


def test_retrieve_sends_the_version_as_etag(world, api_for):
    response = api_for("viewer").get(url(world))
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_patch_without_if_match_is_428(world, api_for):
    response = api_for("editor").patch(url(world), {"name": "x"}, format="json")
    assert response.status_code == 428
    assert Plan.objects.get(pk=world.plan.pk).name == "Annual plan"


def test_patch_with_stale_if_match_is_412_and_writes_nothing(world, api_for):
    client = api_for("editor")
    assert (
        client.patch(url(world), {"name": "First"}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 200
    )
    response = client.patch(url(world), {"name": "Second"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert Plan.objects.get(pk=world.plan.pk).name == "First"


def test_patch_with_current_if_match_saves_and_returns_new_etag(world, api_for):
    response = api_for("editor").patch(
        url(world), {"name": "Renamed"}, format="json", HTTP_IF_MATCH='W/"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"' and response.json()["name"] == "Renamed"


@pytest.mark.parametrize("header", ["*", "garbage", ""])
def test_if_match_must_name_a_version(world, api_for, header):
    response = api_for("editor").patch(
        url(world), {"name": "x"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code in (412, 428)
    assert Plan.objects.get(pk=world.plan.pk).version == 1


def test_delete_needs_if_match(world, api_for):
    client = api_for("admin")
    assert client.delete(url(world)).status_code == 428
    assert client.delete(url(world), HTTP_IF_MATCH='"9"').status_code == 412
    assert client.delete(url(world), HTTP_IF_MATCH='"1"').status_code == 204


def test_read_only_fields_are_ignored(world, api_for):
    response = api_for("editor").patch(
        url(world),
        {
            "status": "approved",
            "version": 99,
            "workspace": world.other_workspace.pk,
            "id": 5,
            "approved_by": 1,
        },
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    plan = Plan.objects.get(pk=world.plan.pk)
    assert (plan.status, plan.version, plan.workspace_id, plan.approved_by) == (
        PlanStatus.DRAFT,
        2,
        world.workspace.pk,
        None,
    )


def test_creating_a_plan_in_another_workspace_is_400_and_writes_nothing(world, api_for):
    before = Plan.objects.count()
    response = api_for("editor").post(
        "/api/v1/plans/",
        {"workspace": world.other_workspace.pk, "year": 2028, "name": "Sneaky"},
        format="json",
    )
    assert response.status_code == 400 and "workspace" in response.json()["fields"]
    assert Plan.objects.count() == before


def test_invalid_input_names_the_field(world, api_for):
    response = api_for("editor").post(
        "/api/v1/plans/", {"workspace": world.workspace.pk, "year": 1900, "name": ""}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"year", "name"}


def test_duplicate_plan_name_is_a_field_error(world, api_for):
    response = api_for("editor").post(
        "/api/v1/plans/",
        {"workspace": world.workspace.pk, "year": 2027, "name": "Annual plan"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_transitions_through_the_api(world, api_for):
    submitted = api_for("editor").post(
        url(world, "transition/"), {"action": "submit"}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    refused = api_for("editor").post(
        url(world, "transition/"), {"action": "approve"}, format="json"
    )
    assert refused.status_code == 403
    wrong = api_for("manager").post(url(world, "transition/"), {"action": "submit"}, format="json")
    assert wrong.status_code == 409
    stale = api_for("manager").post(
        url(world, "transition/"), {"action": "approve"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412
    approved = api_for("manager").post(
        url(world, "transition/"),
        {"action": "approve"},
        format="json",
        HTTP_IF_MATCH=submitted["ETag"],
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    locked = api_for("editor").patch(
        url(world), {"name": "x"}, format="json", HTTP_IF_MATCH=approved["ETag"]
    )
    assert locked.status_code == 409
    actions = [t["action"] for t in api_for("viewer").get(url(world, "transitions/")).json()]
    assert actions == ["approve", "submit"]


def test_history_lists_changes_with_old_and_new_values(world, api_for):
    api_for("editor").patch(url(world), {"name": "Renamed"}, format="json", HTTP_IF_MATCH='"1"')
    entries = api_for("viewer").get(url(world, "history/")).json()
    change = next(e for e in entries if e["kind"] == "~")
    assert change["who"] == "editor-user"
    assert change["changes"][0] | {"field_label": None} == {
        "field": "name",
        "field_label": None,
        "old": "Annual plan",
        "new": "Renamed",
    }


def test_membership_admin_changes_roles_with_if_match(world, api_for):
    client = api_for("admin")
    row = next(
        r
        for r in client.get("/api/v1/memberships/").json()["results"]
        if r["username"] == "viewer-user"
    )
    response = client.patch(
        f"/api/v1/memberships/{row['id']}/",
        {"role": "editor"},
        format="json",
        HTTP_IF_MATCH=f'"{row["version"]}"',
    )
    assert response.status_code == 200 and response.json()["role"] == "editor"


def test_membership_of_unknown_user_is_a_field_error(world, api_for):
    response = api_for("admin").post(
        "/api/v1/memberships/",
        {"workspace": world.workspace.pk, "username": "ghost", "role": "viewer"},
        format="json",
    )
    assert response.status_code == 400 and "username" in response.json()["fields"]


def test_plan_list_query_count_does_not_grow_with_plans(world, api_for):
    client = api_for("editor")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/plans/")
    for year in range(2030, 2040):
        PlanFactory(workspace=world.workspace, year=year)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/plans/")
    assert response.json()["count"] == 11
    assert len(many) == len(few) <= 6
