"""Key activities: validation as a whole, clashes from planner.timeline through the
service, the page and the API (double booking, broken dependency, cycle refused)."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidInput
from planner.execution import activity_queries as queries
from planner.execution import activity_services as services
from planner.execution.activity_models import Activity
from tests.budget.supplier_helpers import supplier
from tests.budget.teams_helpers import department, other_department
from tests.planner.execution.activity_helpers import activity

pytestmark = pytest.mark.django_db


def test_double_booked_department_is_listed_with_both_activities(world):
    first = activity(world)
    second = activity(
        world,
        "Lantern festival shoot",
        start=date(2027, 1, 15),
        end=date(2027, 2, 1),
        departments=[department(world, "BRAND"), department(world, "GROWTH")],
    )
    activity(world, "Unrelated", start=date(2027, 1, 15), end=date(2027, 2, 1), departments=[])
    clashes = queries.schedule_of(world.plan).listed()
    assert [(c.kind, c.department.code) for c in clashes] == [("double_booking", "BRAND")]
    assert {a.pk for a in clashes[0].activities} == {first.pk, second.pk}
    assert (clashes[0].start, clashes[0].end) == (date(2027, 1, 15), date(2027, 1, 20))


def test_dependency_ending_after_its_successor_starts_is_a_clash(world):
    before = activity(world, departments=[])
    after = activity(
        world,
        "CNY campaign",
        start=date(2027, 1, 18),
        end=date(2027, 2, 10),
        departments=[],
        depends_on=[before],
    )
    clashes = queries.schedule_of(world.plan).listed()
    assert [(c.kind, [a.pk for a in c.activities]) for c in clashes] == [
        ("dependency", [before.pk, after.pk])
    ]
    # Starting on the predecessor's last day is a handover, not a clash.
    services.activity_update(
        activity=after,
        expected_version=after.version,
        changes={"start": date(2027, 1, 20)},
        actor=world.users["editor"],
    )
    assert queries.schedule_of(world.plan).listed() == []


def test_a_cycle_is_refused_and_nothing_is_written(world):
    a = activity(world, "A", departments=[])
    b = activity(world, "B", departments=[], depends_on=[a])
    c = activity(world, "C", departments=[], depends_on=[b])
    with pytest.raises(InvalidInput) as caught:
        services.activity_update(
            activity=a,
            expected_version=a.version,
            changes={"depends_on": [c]},
            actor=world.users["editor"],
        )
    assert "cycle" in str(caught.value.fields["depends_on"][0])
    a.refresh_from_db()
    assert list(a.depends_on.all()) == []
    assert a.version == 1


def test_validation_reports_every_field_at_once(world):
    foreign_activity = Activity.objects.create(
        plan=world.other_plan,
        title="Rival launch",
        kind="launch",
        start=date(2027, 3, 1),
        end=date(2027, 3, 2),
    )
    with pytest.raises(InvalidInput) as caught:
        services.activity_create(
            plan=world.plan,
            actor=world.users["editor"],
            title=" ",
            kind="party",
            start=date(2027, 3, 5),
            end=date(2027, 3, 1),
            departments=[other_department(world)],
            suppliers=[supplier(world, other=True)],
            depends_on=[foreign_activity],
        )
    assert set(caught.value.fields) == {
        "title",
        "kind",
        "end",
        "departments",
        "suppliers",
        "depends_on",
    }
    assert not Activity.objects.filter(plan=world.plan).exists()


def test_an_activity_cannot_depend_on_itself(world):
    a = activity(world)
    with pytest.raises(InvalidInput) as caught:
        services.activity_update(
            activity=a,
            expected_version=a.version,
            changes={"depends_on": [a]},
            actor=world.users["editor"],
        )
    assert "depends_on" in caught.value.fields


def test_page_shows_the_clash_panel_and_the_timeline(world, client_for):
    activity(world)
    activity(world, "Lantern shoot", start=date(2027, 1, 10), end=date(2027, 1, 30))
    response = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/activities/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Brand marketing</strong> is double-booked" in text
    assert "“CNY creative production” and “Lantern shoot”" in text
    assert text.count('class="gantt-bar') == 2


def test_page_form_refuses_a_cycle_with_the_reason(world, client_for):
    a = activity(world, "A", departments=[])
    b = activity(world, "B", departments=[], depends_on=[a])
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/activities/{a.pk}/",
        {
            "title": "A",
            "kind": "production",
            "status": "planned",
            "start": "2027-01-04",
            "end": "2027-01-20",
            "depends_on": [str(b.pk)],
            "version": a.version,
        },
    )
    assert response.status_code == 400
    assert "make a cycle" in response.content.decode()
    assert list(a.depends_on.all()) == []


def test_page_refuses_a_stale_version(world, client_for):
    a = activity(world)
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/activities/{a.pk}/",
        {
            "title": "Renamed",
            "kind": "production",
            "status": "planned",
            "start": "2027-01-04",
            "end": "2027-01-20",
            "version": a.version + 5,
        },
    )
    assert response.status_code == 409
    a.refresh_from_db()
    assert a.title == "CNY creative production"


# --- API -------------------------------------------------------------------------------------


def test_api_rows_carry_their_clashes(world, api_for):
    first = activity(world)
    second = activity(world, "Lantern shoot", start=date(2027, 1, 10), end=date(2027, 1, 30))
    response = api_for("viewer").get(f"/api/v1/activities/?plan={world.plan.pk}")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[first.pk]["clashes"] == [
        {
            "kind": "double_booking",
            "department": department(world, "BRAND").pk,
            "other": second.pk,
            "start": "2027-01-10",
            "end": "2027-01-20",
        }
    ]


@pytest.mark.parametrize("field", ["departments", "suppliers", "depends_on", "campaign"])
def test_api_refuses_another_workspaces_ids(world, api_for, field):
    foreign = {
        "departments": lambda: [other_department(world).pk],
        "suppliers": lambda: [supplier(world, other=True).pk],
        "depends_on": lambda: [
            Activity.objects.create(
                plan=world.other_plan,
                title="Rival",
                kind="launch",
                start=date(2027, 1, 1),
                end=date(2027, 1, 2),
            ).pk
        ],
        "campaign": lambda: _other_campaign(world),
    }[field]()
    body = {
        "plan": world.plan.pk,
        "title": "Launch",
        "kind": "launch",
        "start": "2027-03-01",
        "end": "2027-03-10",
        field: foreign,
    }
    response = api_for("editor").post("/api/v1/activities/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Activity.objects.filter(plan=world.plan).exists()


def _other_campaign(world):
    from content.models import Campaign

    return Campaign.objects.create(
        plan=world.other_plan,
        code="rival",
        name="Rival",
        theme="festival",
        start=date(2027, 1, 1),
        end=date(2027, 1, 31),
    ).pk


def test_api_update_needs_if_match_and_refuses_stale(world, api_for):
    a = activity(world)
    client = api_for("editor")
    url = f"/api/v1/activities/{a.pk}/"
    assert client.patch(url, {"title": "X"}, format="json").status_code == 428
    stale = client.patch(url, {"title": "X"}, format="json", HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    done = client.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH='"1"')
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    a.refresh_from_db()
    assert (a.title, a.version) == ("CNY creative production", 2)


def test_api_cycle_is_400_and_read_only_fields_are_ignored(world, api_for):
    a = activity(world, "A", departments=[])
    b = activity(world, "B", departments=[], depends_on=[a])
    response = api_for("editor").patch(
        f"/api/v1/activities/{a.pk}/",
        {"depends_on": [b.pk], "version": 40, "id": 999},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "depends_on" in response.json()["fields"]
    a.refresh_from_db()
    assert (a.pk, a.version, list(a.depends_on.all())) == (a.pk, 1, [])
