"""Lifecycle rules, locking of approved plans, members, and plan creation."""

import pytest

from core.errors import InvalidInput, InvalidTransition, Locked, NotAllowed, StaleVersion
from planner import services
from planner.models import Membership, Plan, PlanStatus, Role


def move(world, action, persona, comment=""):
    plan = Plan.objects.get(pk=world.plan.pk)
    return services.plan_transition(
        plan=plan, action=action, actor=world.users[persona], comment=comment
    )


def test_editor_submits_and_manager_approves(world):
    assert move(world, "submit", "editor").status == PlanStatus.IN_REVIEW
    plan = move(world, "approve", "manager")
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_by == world.users["manager"] and plan.approved_at is not None
    assert [t.action for t in plan.transitions.all()] == ["approve", "submit"]


@pytest.mark.parametrize("persona", ["viewer"])
def test_viewer_cannot_submit(world, persona):
    with pytest.raises(NotAllowed):
        move(world, "submit", persona)


@pytest.mark.parametrize("action", ["approve", "send_back"])
def test_editor_cannot_approve_or_send_back(world, action):
    move(world, "submit", "editor")
    with pytest.raises(NotAllowed):
        move(world, action, "editor", comment="x")


def test_send_back_needs_a_comment_and_returns_to_draft(world):
    move(world, "submit", "editor")
    with pytest.raises(InvalidInput) as caught:
        move(world, "send_back", "manager")
    assert "comment" in caught.value.fields
    plan = move(world, "send_back", "manager", comment="Budget for Q3 is too thin")
    assert plan.status == PlanStatus.DRAFT
    assert plan.transitions.first().comment == "Budget for Q3 is too thin"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("draft", "reopen"),
        ("draft", "archive"),
        ("in_review", "submit"),
        ("approved", "submit"),
        ("approved", "approve"),
        ("archived", "archive"),
    ],
)
def test_moves_the_status_does_not_allow_are_refused(world, status, action):
    Plan.objects.filter(pk=world.plan.pk).update(status=status)
    with pytest.raises(InvalidTransition):
        move(world, action, "admin", comment="x")


def test_approved_plan_is_locked_until_a_manager_reopens_it(world):
    move(world, "submit", "editor")
    plan = move(world, "approve", "manager")
    with pytest.raises(Locked):
        services.plan_update(
            plan=plan,
            expected_version=plan.version,
            changes={"name": "x"},
            actor=world.users["editor"],
        )
    with pytest.raises(NotAllowed):
        move(world, "reopen", "editor")
    plan = move(world, "reopen", "manager")
    assert plan.status == PlanStatus.DRAFT and plan.approved_by is None
    plan = services.plan_update(
        plan=plan,
        expected_version=plan.version,
        changes={"name": "Now editable"},
        actor=world.users["editor"],
    )
    assert plan.name == "Now editable"


def test_plan_in_review_cannot_be_edited(world):
    plan = move(world, "submit", "editor")
    with pytest.raises(Locked):
        services.plan_update(
            plan=plan,
            expected_version=plan.version,
            changes={"name": "x"},
            actor=world.users["admin"],
        )


def test_transition_with_stale_version_is_refused(world):
    plan = Plan.objects.get(pk=world.plan.pk)
    services.plan_update(
        plan=plan, expected_version=1, changes={"name": "x"}, actor=world.users["editor"]
    )
    with pytest.raises(StaleVersion):
        services.plan_transition(
            plan=plan, action="submit", actor=world.users["editor"], expected_version=1
        )


def test_every_change_is_in_history_with_who_and_what(world):
    plan = services.plan_update(
        plan=world.plan,
        expected_version=1,
        changes={"name": "Renamed", "year": 2028},
        actor=world.users["editor"],
    )
    move(world, "submit", "editor")
    records = list(Plan.history.filter(id=plan.pk).order_by("history_date"))
    assert [r.history_user for r in records[-2:]] == [world.users["editor"]] * 2
    assert records[-2].name == "Renamed" and records[-2].year == 2028
    assert records[-1].status == "in_review" and records[-1].history_change_reason == "submit"


def test_plan_create_installs_the_standard_channel_catalogue(world):
    plan = services.plan_create(
        workspace=world.workspace, year=2028, name="Scenario B", actor=world.users["editor"]
    )
    codes = set(plan.channels.values_list("code", flat=True))
    assert {"wechat", "douyin", "tmall", "popup", "kol_koc"} <= codes
    assert plan.status == PlanStatus.DRAFT and plan.currency == "CNY"


def test_plan_names_are_unique_per_workspace_and_year(world):
    with pytest.raises(InvalidInput) as caught:
        services.plan_create(
            workspace=world.workspace, year=2027, name="Annual plan", actor=world.users["editor"]
        )
    assert "name" in caught.value.fields
    # the same name in another year or workspace is fine
    services.plan_create(
        workspace=world.workspace, year=2028, name="Annual plan", actor=world.users["editor"]
    )


def test_plan_update_refuses_fields_that_are_not_editable(world):
    with pytest.raises(InvalidInput) as caught:
        services.plan_update(
            plan=world.plan,
            expected_version=1,
            changes={"status": "approved"},
            actor=world.users["admin"],
        )
    assert "status" in caught.value.fields


def test_the_last_admin_cannot_leave_or_be_demoted(world):
    admin = Membership.objects.get(workspace=world.workspace, role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        services.membership_update(
            membership=admin,
            role=Role.EDITOR,
            expected_version=admin.version,
            actor=world.users["admin"],
        )
    with pytest.raises(InvalidInput):
        services.membership_remove(
            membership=admin, expected_version=admin.version, actor=world.users["admin"]
        )
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_workspace_creator_becomes_its_admin(world):
    workspace = services.workspace_create(name="Lumi Tea", actor=world.users["viewer"])
    assert workspace.slug == "lumi-tea"
    assert Membership.objects.get(workspace=workspace).role == Role.ADMIN


def test_submitting_emails_the_managers_not_the_submitter(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(world, "submit", "editor")
    assert sorted(m.to[0] for m in mailoutbox) == [
        "admin-user@example.test",
        "manager-user@example.test",
    ]
    assert "Annual plan" in mailoutbox[0].subject
    html = mailoutbox[0].alternatives[0][0]
    assert f"/plans/{world.plan.pk}/" in html


def test_each_reviewer_reads_the_email_in_their_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from planner.notify.subscriptions import subscription_for

    # given a manager who reads notifications in Chinese and an admin who reads English
    for persona, language in (("manager", "zh-hans"), ("admin", "en")):
        found = subscription_for(Membership.objects.get(user=world.users[persona]))
        type(found).objects.filter(pk=found.pk).update(language=language)
    # when the plan is submitted
    with django_capture_on_commit_callbacks(execute=True):
        move(world, "submit", "editor")
    # then each gets it in their language, with the link to their notification settings
    emails = {m.to[0]: m for m in mailoutbox}
    chinese, english = emails["manager-user@example.test"], emails["admin-user@example.test"]
    assert chinese.subject == "[Almanac] Annual plan 2027: 提交审核"
    assert "该规划当前状态为“审核中”。" in chinese.body and "通知设置" in chinese.body
    assert english.subject == "[Almanac] Annual plan 2027: Submit for review"
    assert "The plan is now “In review”." in english.body
    assert f"/w/{world.workspace.slug}/notifications/" in english.alternatives[0][0]


def test_approval_emails_the_submitter(world, mailoutbox, django_capture_on_commit_callbacks):
    move(world, "submit", "editor")
    with django_capture_on_commit_callbacks(execute=True):
        move(world, "approve", "manager")
    assert [m.to[0] for m in mailoutbox] == ["editor-user@example.test"]
