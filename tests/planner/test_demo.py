import io

from django.contrib.auth import authenticate
from django.core.management import call_command

from planner.models import Membership, Plan, Workspace
from tests.demo_snapshot import row_counts


def test_load_demo_is_idempotent_and_creates_the_demo_users(demo, settings, rf):
    # given the demo, loaded once (the session's snapshot of it)
    before = row_counts()
    # when it is loaded again
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    # then no table has a row more or less
    after = row_counts()
    assert {t: (before[t], after[t]) for t in before if before[t] != after[t]} == {}
    workspace = Workspace.objects.get(slug="demo")
    roles = dict(
        Membership.objects.filter(workspace=workspace).values_list("user__username", "role")
    )
    assert roles == {
        "demo-admin": "admin",
        "demo-manager": "manager",
        "demo-editor": "editor",
        "demo-viewer": "viewer",
    }
    plan = Plan.objects.get(workspace=workspace, scenario_of__isnull=True)
    assert plan == demo
    assert plan.year == 2027 and plan.channels.count() > 10
    # approved once (the baseline), reopened for the mid-year revision, one scenario
    assert list(plan.versions.values_list("number", "kind")) == [(2, "baseline"), (1, "submitted")]
    assert plan.status == "draft"
    (scenario,) = Plan.objects.filter(workspace=workspace, scenario_of=plan)
    assert scenario.name == "Stretch: +20 % budget"
    for username in ("demo-editor", "demo-manager", "demo-viewer"):
        assert authenticate(rf.post("/"), username=username, password="demo-password")
