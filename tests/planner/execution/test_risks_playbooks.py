"""The risk register's heat map, the playbooks (escalation path, drills) and the
alert → playbook link with per-alert step acknowledgement."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from planner.execution import queries, services
from planner.execution.models import EscalationStep, Playbook, Risk, StepAcknowledgement
from tests.monitoring import seed
from tests.planner.execution.helpers import STEPS, playbook, playbook_alert, step


def _risk(world, impact, likelihood, status="open", title=None):
    return services.risk_create(
        plan=world.plan,
        actor=world.users["editor"],
        title=title or f"Risk {impact}×{likelihood} {Risk.objects.count()}",
        category="competitor",
        impact=impact,
        likelihood=likelihood,
        status=status,
    )


def test_heat_map_counts_risks_not_closed_by_impact_and_likelihood(world):
    _risk(world, 4, 3)
    _risk(world, 4, 3, status="mitigated")
    _risk(world, 4, 3, status="closed")
    _risk(world, 5, 5)
    _risk(world, 1, 2)
    heat = queries.heat_map(world.plan)
    cells = {(c.impact, c.likelihood): c for row in heat for c in row}
    assert [row[0].impact for row in heat] == [5, 4, 3, 2, 1]  # impact top-down
    assert [c.likelihood for c in heat[0]] == [1, 2, 3, 4, 5]
    assert cells[(4, 3)].count == 2 and cells[(4, 3)].band == "high"
    assert cells[(5, 5)].count == 1 and cells[(5, 5)].band == "critical"
    assert cells[(1, 2)].count == 1 and cells[(1, 2)].band == "low"
    assert sum(c.count for c in cells.values()) == 4


def test_heat_map_cell_links_to_the_filtered_list(world, client_for):
    _risk(world, 4, 3, title="Rival opens a flagship next door")
    _risk(world, 2, 2, title="Printer delivers late")
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/risks/")
    text = page.content.decode()
    assert "?impact=4&amp;likelihood=3#risk-list" in text
    filtered = client_for("viewer").get(
        f"/plans/{world.plan.pk}/execution/risks/?impact=4&likelihood=3"
    )
    text = filtered.content.decode()
    assert "Rival opens a flagship next door" in text and "Printer delivers late" not in text


def test_risk_validation_names_every_field(world):
    other = playbook(world)
    other.plan_id  # noqa: B018 - created in this plan
    from tests.factories import PlanFactory

    sibling = PlanFactory(workspace=world.workspace, name="Scenario B")
    with pytest.raises(InvalidInput) as refused:
        services.risk_create(
            plan=sibling,
            actor=world.users["editor"],
            title=" ",
            category="weather",
            impact=6,
            likelihood=0,
            playbook=other,
        )
    assert set(refused.value.fields) == {"title", "category", "impact", "likelihood", "playbook"}
    assert not Risk.objects.exists()


def test_playbook_steps_are_kept_in_order_and_acks_survive_an_edit(world):
    found = playbook(world)
    alert = playbook_alert(world)
    services.step_acknowledge(alert=alert, step=step(world, 1), actor=world.users["editor"])
    fresh = services.playbook_update(
        playbook=found,
        expected_version=found.version,
        changes={"steps": [{**STEPS[0], "response_minutes": 15}, STEPS[1]]},
        actor=world.users["editor"],
    )
    steps = list(fresh.steps.order_by("order"))
    assert [(s.order, s.role, s.response_minutes) for s in steps] == [
        (1, "Social media lead", 15),
        (2, "PR director", 60),
    ]
    assert StepAcknowledgement.objects.filter(alert=alert, step=steps[0]).exists()


def test_bad_escalation_steps_are_refused_with_their_number(world):
    with pytest.raises(InvalidInput) as refused:
        services.playbook_create(
            plan=world.plan,
            actor=world.users["editor"],
            title="Stock-out",
            scenario="Sold out",
            steps=[{"role": "", "person": "", "response_minutes": 0}],
        )
    problems = " ".join(str(p) for p in refused.value.fields["steps"])
    assert "Step 1" in problems
    assert not Playbook.objects.exists()


def test_playbook_form_reports_the_bad_line(world, client_for):
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/playbooks/new/",
        {"title": "Stock-out", "scenario": "Sold out", "steps": "Lead | Liu | 30\nOnly a role"},
    )
    assert response.status_code == 400
    assert "Line 2" in response.content.decode()
    assert not Playbook.objects.exists()


def test_alert_inbox_shows_the_playbook_and_steps_are_acknowledged_per_alert(world, client_for):
    alert = playbook_alert(world)
    other_alert = seed.alert(world, rule=alert.rule)
    editor = client_for("editor")
    inbox = f"/plans/{world.plan.pk}/monitoring/alerts/"
    page = editor.get(inbox).content.decode()
    assert "PR crisis" in page and "Social media lead" in page and "Acknowledge step" in page
    ack_url = f"/plans/{world.plan.pk}/execution/alerts/{alert.pk}/steps/{step(world, 1).pk}/ack/"
    response = editor.post(ack_url)
    assert response.status_code == 302 and response["Location"].endswith(f"#alert-{alert.pk}")
    editor.post(ack_url)  # twice: still one acknowledgement, the first who and when
    acks = StepAcknowledgement.objects.filter(alert=alert)
    assert acks.count() == 1 and acks.get().acknowledged_by == world.users["editor"]
    assert not StepAcknowledgement.objects.filter(alert=other_alert).exists()
    page = editor.get(inbox).content.decode()
    assert "acknowledged by editor-user" in page


def test_a_step_of_another_playbook_cannot_be_acknowledged(world, client_for):
    alert = playbook_alert(world)
    stray = services.playbook_create(
        plan=world.plan,
        actor=world.users["editor"],
        title="Stock-out",
        scenario="Sold out",
        steps=[{"role": "Supply lead", "person": "", "response_minutes": 60}],
    )
    stray_step = EscalationStep.objects.get(playbook=stray)
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/alerts/{alert.pk}/steps/{stray_step.pk}/ack/"
    )
    assert response.status_code == 302
    assert not StepAcknowledgement.objects.exists()


def test_drill_log(world, client_for):
    found = playbook(world)
    response = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/playbooks/{found.pk}/drills/",
        {"held_on": "2026-09-15", "participants": "PR, legal, customer care", "findings": "Slow"},
    )
    assert response.status_code == 302
    page = client_for("viewer").get(f"/plans/{world.plan.pk}/execution/playbooks/{found.pk}/")
    assert "PR, legal, customer care" in page.content.decode()
    future = client_for("editor").post(
        f"/plans/{world.plan.pk}/execution/playbooks/{found.pk}/drills/",
        {"held_on": "2099-01-01", "participants": "PR"},
    )
    assert future.status_code == 400 and found.drills.count() == 1
