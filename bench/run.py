"""Benchmarks for the foundation: page and API latency on a populated database.

Each figure is printed with its ratio to a reference measured in the same run
(`GET /healthz`: the full middleware stack and one query), so results compare
across machines. Run with `make bench`; nothing here asserts a time.

Data: 40 workspaces, 5 plans each, with the standard channel catalogue, 6 members each;
the measured user belongs to 3 of the workspaces; one of their plans holds the demo's
goals, channel plan and content matrix.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("STATIC_MANIFEST", "0")

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", "No directory at")  # whitenoise: no collectstatic here

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from channels import demo as channels_demo  # noqa: E402
from content import demo as content_demo  # noqa: E402
from kpis import demo as kpis_demo  # noqa: E402
from kpis.models import Kpi  # noqa: E402
from monitoring import demo as monitoring_demo  # noqa: E402
from monitoring.recompute import recompute_plan  # noqa: E402
from planner import services  # noqa: E402
from planner.models import Membership, Plan, Role, Workspace  # noqa: E402

WORKSPACES = 40
PLANS_PER_WORKSPACE = 5
ROUNDS = 60


def populate() -> User:
    db = Path(settings.DATABASES["default"]["NAME"])
    if db.exists():
        db.unlink()
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    me = User.objects.create_user("bench-me", "me@bench.test", "x")
    for w in range(WORKSPACES):
        admin = User.objects.create_user(f"bench-admin-{w}", f"a{w}@bench.test", "x")
        workspace = services.workspace_create(name=f"Brand {w}", actor=admin)
        for m in range(5):
            user = User.objects.create_user(f"bench-{w}-{m}", f"u{w}{m}@bench.test", "x")
            Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR)
        if w < 3:
            Membership.objects.create(workspace=workspace, user=me, role=Role.EDITOR)
        for p in range(PLANS_PER_WORKSPACE):
            services.plan_create(workspace=workspace, year=2027 + p, name=f"Plan {p}", actor=admin)
    return me


def goals_plan(me: User) -> tuple[Plan, Kpi]:
    """The demo's driver tree (17 KPIs, half a year of actuals) in one of my plans."""
    plan = Plan.objects.filter(workspace__memberships__user=me).order_by("pk").first()
    assert plan is not None
    kpis_demo.load(plan=plan, editor=me, manager=me)
    channels_demo.load(plan=plan, editor=me)
    content_demo.load(plan=plan, editor=me)
    monitoring_demo.load(plan=plan, editor=me)
    return plan, Kpi.objects.get(plan=plan, code="revenue")


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm caches and the template loader
    times = []
    queries = 0
    for _ in range(ROUNDS):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def main() -> None:
    setup_test_environment()
    settings.DEBUG = False
    me = populate()
    client = Client()
    client.force_login(me)
    plan = Plan.objects.filter(workspace__memberships__user=me).first()
    assert plan is not None
    workspace = Workspace.objects.filter(memberships__user=me).first()
    assert workspace is not None
    demo_plan, demo_kpi = goals_plan(me)
    connection.force_debug_cursor = True  # count queries with DEBUG off
    targets = [
        ("reference: GET /healthz", "/healthz"),
        ("workspaces and plans (home)", "/"),
        ("workspace page", f"/w/{workspace.slug}/"),
        ("plan overview (chart, lifecycle)", f"/plans/{plan.pk}/"),
        ("plan history", f"/plans/{plan.pk}/history/"),
        ("channel section", f"/plans/{plan.pk}/channels/"),
        ("annual goals (grid, tree, attainment)", f"/plans/{demo_plan.pk}/goals/"),
        ("KPI page (breakdown, chart)", f"/plans/{demo_plan.pk}/goals/kpis/{demo_kpi.pk}/"),
        ("API KPI tree", f"/api/v1/plans/{demo_plan.pk}/kpi-tree/"),
        ("channel matrix (24 channels x 4 quarters)", f"/plans/{demo_plan.pk}/channels/matrix/"),
        ("KOL/KOC programme (30 creators)", f"/plans/{demo_plan.pk}/channels/kol/"),
        ("content: year calendar (15 campaigns)", f"/plans/{demo_plan.pk}/content/"),
        ("content: month calendar (February)", f"/plans/{demo_plan.pk}/content/calendar/2/"),
        ("content: timeline (Gantt)", f"/plans/{demo_plan.pk}/content/timeline/"),
        ("content: assets and licence flags", f"/plans/{demo_plan.pk}/content/assets/"),
        ("content: licences and expiry report", f"/plans/{demo_plan.pk}/content/licences/"),
        ("content: interaction mechanisms", f"/plans/{demo_plan.pk}/content/interaction/"),
        ("API campaigns (overlaps computed)", f"/api/v1/campaigns/?plan={demo_plan.pk}"),
        ("API plan list", "/api/v1/plans/"),
        ("API plan detail", f"/api/v1/plans/{plan.pk}/"),
    ]
    targets += [
        ("monitoring overview (funnel, trend, grades)", f"/plans/{demo_plan.pk}/monitoring/"),
        ("monitoring alert inbox", f"/plans/{demo_plan.pk}/monitoring/alerts/"),
        (
            "API funnel by channel and month",
            f"/api/v1/plans/{demo_plan.pk}/funnel/?group_by=channel",
        ),
    ]
    results = [(name, *measure(client, url)) for name, url in targets]
    reference = results[0][1]
    print(
        f"\nAlmanac bench — {WORKSPACES} workspaces, {WORKSPACES * PLANS_PER_WORKSPACE} plans,"
        f" {ROUNDS} rounds each, {connection.vendor}"
    )
    print(f"{'request':44} {'median ms':>10} {'p95 ms':>8} {'x ref':>7} {'queries':>8}")
    for name, median, p95, queries in results:
        print(f"{name:44} {median:10.2f} {p95:8.2f} {median / reference:7.1f} {queries:8d}")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        recompute_plan(demo_plan.pk)
        runs.append((time.perf_counter() - start) * 1000)
    rows = demo_plan.metrics.count()
    print(
        f"\nrecompute of the demo plan end to end ({rows:,} daily rows): "
        f"median {statistics.median(runs):.0f} ms = {statistics.median(runs) / reference:.0f}x ref"
    )


if __name__ == "__main__":
    main()
