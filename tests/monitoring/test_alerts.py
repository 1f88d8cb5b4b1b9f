"""The alert lifecycle, and the validation of alert rules and monitoring settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from channels.models import Channel
from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from core.models import OutboxMessage
from monitoring import services
from monitoring.models import Alert, AlertRule, AlertStatus, ComputeState
from planner.models import Plan, PlanStatus
from tests.monitoring.seed import alert, channel, metric, rule

pytestmark = pytest.mark.django_db


def set_status(world, status: str) -> None:
    Plan.objects.filter(pk=world.plan.pk).update(status=status)
    world.plan.refresh_from_db()


# --- the alert lifecycle --------------------------------------------------------------------


def test_open_acknowledged_resolved_records_who_and_when(world):
    # given an open alert
    a = alert(world)
    editor, manager = world.users["editor"], world.users["manager"]
    # when the editor acknowledges it with a note
    acked = services.alert_acknowledge(
        alert=a, expected_version=a.version, actor=editor, note="Looking into it"
    )
    # then it is acknowledged by the editor, now, and the note is stamped with their name
    assert acked.status == AlertStatus.ACKNOWLEDGED
    assert acked.acknowledged_by == editor and acked.acknowledged_at is not None
    assert acked.resolved_at is None and acked.resolved_by is None
    assert acked.version == a.version + 1
    assert acked.note.endswith("editor-user: Looking into it")
    # when the manager resolves it
    done = services.alert_resolve(
        alert=acked, expected_version=acked.version, actor=manager, note="Bid cap restored"
    )
    # then it is resolved by the manager, the acknowledgement kept, both notes there in order
    fresh = Alert.objects.get(pk=a.pk)
    assert fresh.status == AlertStatus.RESOLVED == done.status
    assert fresh.resolved_by == manager and fresh.resolved_at is not None
    assert fresh.acknowledged_by == editor
    assert fresh.resolved_at >= fresh.acknowledged_at
    lines = fresh.note.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("editor-user: Looking into it")
    assert lines[1].endswith("manager-user: Bid cap restored")


def test_an_open_alert_may_be_resolved_directly_and_reopened(world):
    a = alert(world)
    editor = world.users["editor"]
    done = services.alert_resolve(alert=a, expected_version=a.version, actor=editor)
    assert done.status == AlertStatus.RESOLVED and done.acknowledged_at is None
    assert done.note == ""  # no note given, nothing appended
    again = services.alert_reopen(
        alert=done, expected_version=done.version, actor=editor, note="Came back"
    )
    assert again.status == AlertStatus.OPEN
    assert again.resolved_at is None and again.resolved_by is None
    assert "Came back" in again.note


@pytest.mark.parametrize(
    ("start", "step"),
    [
        (AlertStatus.RESOLVED, services.alert_resolve),
        (AlertStatus.RESOLVED, services.alert_acknowledge),
        (AlertStatus.ACKNOWLEDGED, services.alert_acknowledge),
        (AlertStatus.OPEN, services.alert_reopen),
        (AlertStatus.ACKNOWLEDGED, services.alert_reopen),
    ],
)
def test_invalid_steps_are_refused(world, start, step):
    a = alert(world, status=start)
    with pytest.raises(InvalidTransition):
        step(alert=a, expected_version=a.version, actor=world.users["editor"])
    fresh = Alert.objects.get(pk=a.pk)
    assert (fresh.status, fresh.version) == (start, a.version)


def test_a_stale_version_is_refused(world):
    a = alert(world)
    services.alert_acknowledge(alert=a, expected_version=a.version, actor=world.users["editor"])
    # a second person still holding the first version tries to resolve it
    with pytest.raises(StaleVersion):
        services.alert_resolve(alert=a, expected_version=a.version, actor=world.users["manager"])
    assert Alert.objects.get(pk=a.pk).status == AlertStatus.ACKNOWLEDGED


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_a_viewer_or_outsider_may_not_step_an_alert(world, persona):
    a = alert(world)
    with pytest.raises(NotAllowed):
        services.alert_acknowledge(alert=a, expected_version=a.version, actor=world.users[persona])
    assert Alert.objects.get(pk=a.pk).status == AlertStatus.OPEN


def test_alerts_can_be_handled_in_an_approved_plan_but_not_an_archived_one(world):
    a = alert(world)
    set_status(world, PlanStatus.APPROVED)
    acked = services.alert_acknowledge(
        alert=a, expected_version=a.version, actor=world.users["editor"]
    )
    assert acked.status == AlertStatus.ACKNOWLEDGED
    set_status(world, PlanStatus.ARCHIVED)
    with pytest.raises(Locked):
        services.alert_resolve(
            alert=acked, expected_version=acked.version, actor=world.users["editor"]
        )


# --- alert rules --------------------------------------------------------------------------------


def test_rule_create_stores_the_rule_and_asks_for_a_recompute(world):
    created = rule(world, channel=channel(world, "tmall"), upper=500.0, lower=10.0)
    stored = AlertRule.objects.get(pk=created.pk)
    assert (stored.metric, stored.kind, stored.lower, stored.upper) == ("spend", "bounds", 10, 500)
    assert stored.channel.code == "tmall" and stored.is_active
    assert OutboxMessage.objects.filter(
        task_name=services.RECOMPUTE_TASK, dedup_key=f"recompute:{world.plan.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"metric": "likes"}, "metric"),
        ({"kind": "magic"}, "kind"),
        ({"severity": "panic"}, "severity"),
        ({"upper": None}, "lower"),  # bounds without any bound
        ({"lower": 10.0, "upper": 5.0}, "upper"),
        ({"kind": "change", "upper": None}, "change_pct"),
        ({"kind": "change", "upper": None, "change_pct": 0.0}, "change_pct"),
        ({"kind": "change", "change_pct": 50.0, "baseline_days": 3}, "baseline_days"),
        ({"kind": "change", "change_pct": 50.0, "baseline_days": 400}, "baseline_days"),
        ({"kind": "statistical", "threshold": 0.5}, "threshold"),
        ({"kind": "statistical", "threshold": 11.0}, "threshold"),
        ({"formula": "x"}, "formula"),  # not an editable field
    ],
)
def test_rule_validation_names_the_field(world, fields, field):
    with pytest.raises(InvalidInput) as caught:
        rule(world, **fields)
    assert field in caught.value.fields
    assert not AlertRule.objects.filter(plan=world.plan).exists()


def test_a_rule_on_another_plans_channel_is_refused(world):
    foreign = Channel.objects.get(plan=world.other_plan, code="douyin")
    with pytest.raises(InvalidInput) as caught:
        rule(world, channel=foreign)
    assert "channel" in caught.value.fields


def test_rules_need_an_editor_and_a_plan_that_is_not_archived(world):
    with pytest.raises(NotAllowed):
        services.rule_create(
            plan=world.plan, actor=world.users["viewer"], name="x", metric="spend", kind="bounds"
        )
    set_status(world, PlanStatus.APPROVED)  # rules are part of running the plan
    assert rule(world).pk
    set_status(world, PlanStatus.ARCHIVED)
    with pytest.raises(Locked):
        rule(world, name="Another")


def test_rule_update_validates_the_result_and_checks_the_version(world):
    r = rule(world)
    editor = world.users["editor"]
    # a change that leaves the rule invalid is refused, naming the field
    with pytest.raises(InvalidInput) as caught:
        services.rule_update(
            rule=r, expected_version=r.version, changes={"lower": 2000.0}, actor=editor
        )
    assert "upper" in caught.value.fields
    # a valid change is stored, the version moves on
    fresh = services.rule_update(
        rule=r,
        expected_version=r.version,
        changes={"kind": "change", "change_pct": 50.0},
        actor=editor,
    )
    assert (fresh.kind, fresh.change_pct, fresh.version) == ("change", 50.0, r.version + 1)
    # a stale version is refused
    with pytest.raises(StaleVersion):
        services.rule_update(
            rule=r, expected_version=r.version, changes={"name": "Late"}, actor=editor
        )
    assert AlertRule.objects.get(pk=r.pk).name == "Spend above 1,000"


def test_deleting_a_rule_keeps_its_alerts(world):
    r = rule(world)
    raised = alert(world, rule=r)
    services.rule_delete(rule=r, expected_version=r.version, actor=world.users["editor"])
    assert not AlertRule.objects.filter(pk=r.pk).exists()
    kept = Alert.objects.get(pk=raised.pk)
    assert kept.rule is None and kept.message == "Spend above 1,000"


# --- settings -------------------------------------------------------------------------------


def test_settings_have_defaults_and_an_update_requests_a_recompute(world):
    current = services.settings_for(world.plan)
    assert current.stages() == ["impressions", "clicks", "visits", "signups", "conversions"]
    assert (current.weights().quality, current.cutoffs().a) == (0.4, 70.0)
    fresh = services.settings_update(
        plan=world.plan,
        expected_version=current.version,
        changes={
            "funnel_stages": ["impressions", "clicks", "conversions"],
            "grade_weights": {"quality": 1, "cost": 1, "volume": 0},
            "grade_cutoffs": {"a": 80, "b": 50},
            "max_shift": Decimal("0.1"),
        },
        actor=world.users["editor"],
    )
    assert fresh.stages() == ["impressions", "clicks", "conversions"]
    assert fresh.grade_weights == {"quality": 1, "cost": 1, "volume": 0}
    assert fresh.grade_cutoffs == {"a": 80, "b": 50}
    assert fresh.max_shift == Decimal("0.1")
    assert fresh.version == current.version + 1
    messages = OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK)
    assert [m.kwargs for m in messages] == [{"plan_id": world.plan.pk}]
    assert ComputeState.objects.get(plan=world.plan).requested_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"funnel_stages": ["impressions"]}, "funnel_stages"),
        ({"funnel_stages": ["impressions", "likes"]}, "funnel_stages"),
        ({"funnel_stages": ["clicks", "clicks"]}, "funnel_stages"),
        ({"funnel_stages": None}, "funnel_stages"),
        ({"grade_weights": {"quality": -1, "cost": 1, "volume": 1}}, "grade_weights"),
        ({"grade_weights": {"quality": 0, "cost": 0, "volume": 0}}, "grade_weights"),
        ({"grade_weights": {"quality": 1, "speed": 1}}, "grade_weights"),
        ({"grade_cutoffs": {"a": 40, "b": 70}}, "grade_cutoffs"),
        ({"grade_cutoffs": {"a": 120, "b": 50}}, "grade_cutoffs"),
        ({"max_shift": Decimal("1.5")}, "max_shift"),
        ({"max_shift": "lots"}, "max_shift"),
        ({"plan": 3}, "plan"),
    ],
)
def test_settings_validation_names_the_field(world, changes, field):
    current = services.settings_for(world.plan)
    with pytest.raises(InvalidInput) as caught:
        services.settings_update(
            plan=world.plan,
            expected_version=current.version,
            changes=changes,
            actor=world.users["editor"],
        )
    assert field in caught.value.fields
    assert services.settings_for(world.plan).version == current.version
    assert not OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK).exists()


def test_settings_need_an_editor_a_draft_plan_and_the_current_version(world):
    current = services.settings_for(world.plan)
    change = {"max_shift": Decimal("0.3")}
    with pytest.raises(NotAllowed):
        services.settings_update(
            plan=world.plan,
            expected_version=current.version,
            changes=change,
            actor=world.users["viewer"],
        )
    with pytest.raises(StaleVersion):
        services.settings_update(
            plan=world.plan,
            expected_version=current.version + 5,
            changes=change,
            actor=world.users["editor"],
        )
    set_status(world, PlanStatus.APPROVED)  # grading rules are part of the plan
    with pytest.raises(Locked):
        services.settings_update(
            plan=world.plan,
            expected_version=current.version,
            changes=change,
            actor=world.users["editor"],
        )
    assert services.settings_for(world.plan).max_shift == Decimal("0.2")


def test_recompute_now_needs_an_editor(world):
    with pytest.raises(NotAllowed):
        services.recompute_now(plan=world.plan, actor=world.users["viewer"])
    services.recompute_now(plan=world.plan, actor=world.users["editor"])
    assert OutboxMessage.objects.filter(task_name=services.RECOMPUTE_TASK).count() == 1


def test_a_recompute_is_requested_only_for_plans_with_metrics_that_are_not_archived(world):
    metric(world, date(2027, 1, 1), spend=1)
    assert services.request_recompute_all() == 1
    set_status(world, PlanStatus.ARCHIVED)
    OutboxMessage.objects.all().delete()
    assert services.request_recompute_all() == 0
