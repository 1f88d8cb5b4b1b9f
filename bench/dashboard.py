"""Benchmark of the manager's quarterly dashboard on the full demo plan.

Loads the demo workspace (``load_demo``: goals, channels, content, monitoring with its
recompute, budget, execution) into a fresh database, then measures the dashboard page and
its API for each quarter, with two references measured in the same run: ``GET /healthz``
(the middleware stack and one query) and the plan overview page. Prints the median and
p95 server time, the ratio of each median to /healthz's, and the queries per request.
The goal (issue #9): p95 ≤ 100 ms and ≤ 25 queries. Run with ``make bench``; nothing here
asserts a time.
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

from planner.models import Plan, Workspace  # noqa: E402

ROUNDS = 60


def populate() -> Plan:
    db = Path(settings.DATABASES["default"]["NAME"])
    if db.exists():
        db.unlink()
    call_command("migrate", verbosity=0)
    settings.DEBUG = True  # load_demo (published passwords) runs only with DEBUG
    try:
        call_command("load_demo", verbosity=0)
    finally:
        settings.DEBUG = False
    return Plan.objects.get(workspace=Workspace.objects.get(slug="demo"), scenario_of__isnull=True)


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
    plan = populate()
    client = Client()
    client.force_login(User.objects.get(username="demo-manager"))
    connection.force_debug_cursor = True  # count queries with DEBUG off
    targets = [
        ("reference: GET /healthz", "/healthz"),
        ("reference: plan overview", f"/plans/{plan.pk}/"),
    ]
    for q in (1, 2, 3, 4):
        code = f"{plan.year}Q{q}"
        targets.append(
            (f"dashboard page {code}", f"/plans/{plan.pk}/execution/dashboard/?quarter={code}")
        )
        targets.append(
            (f"dashboard API {code}", f"/api/v1/plans/{plan.pk}/dashboard/?quarter={code}")
        )
    results = [(name, *measure(client, url)) for name, url in targets]
    reference = results[0][1]
    print(f"\nAlmanac dashboard bench — the demo plan, {ROUNDS} rounds each, {connection.vendor}")
    print("goal: p95 ≤ 100 ms, ≤ 25 queries")
    print(f"{'request':34} {'p50 ms':>8} {'p95 ms':>8} {'x ref':>7} {'queries':>8}")
    for name, median, p95, queries in results:
        print(f"{name:34} {median:8.2f} {p95:8.2f} {median / reference:7.1f} {queries:8d}")


if __name__ == "__main__":
    main()
