"""The application side of the chaos tests (tests/services/test_chaos.py), in its own process.

The chaos tests run the app against a private PostgreSQL cluster and a private Redis
that they stop and start; the test process's own Django connection stays on the
database pytest-django made. This driver is a Django process on the private stack: it
reads one JSON command per line on stdin and answers one line ``RESULT <json>`` on
stdout (anything else on stdout is ignored by the test). It seeds data, makes the
requests a web user or an import would make, and runs the outbox sweep — always
through the application's own services.

Run as ``python -m tests.services.chaos_driver`` with DATABASE_URL and REDIS_URL set
(REDIS_URL empty: tasks run in-process, as in the embedded default).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

RESULT = "RESULT "


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed() -> dict[str, Any]:
    """Two workspaces with a plan each (as the ``world`` fixture), a month of metrics
    below the spend rule, the rule, alert subscriptions, a web session and a token.

    Runs with tasks in-process, so the plans are recomputed before it returns.
    """
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from monitoring import services
    from planner.models import Membership, Subscription
    from planner.notify.subscriptions import subscription_for
    from tests.monitoring.seed import days
    from tests.world import build_world

    world = build_world()
    workspace, plan, other_plan, users = world.workspace, world.plan, world.other_plan, world.users
    # admin and manager want warning emails; the editor and the viewer want none
    for persona, fields in {
        "admin": {},
        "manager": {},
        "editor": {"alert_severities": []},
        "viewer": {"alert_severities": []},
    }.items():
        membership = Membership.objects.get(user=users[persona], workspace=workspace)
        sub = subscription_for(membership)
        if fields:
            Subscription.objects.filter(pk=sub.pk).update(**fields)
    rows = [
        {"date": day.isoformat(), "channel": code, "impressions": 1000, "clicks": 30 + i % 7,
         "visits": 20, "signups": 3, "conversions": 2 + i % 3, "new_users": 1,
         "spend": "500.00", "revenue": f"{900 + 10 * i}.00"}
        for i, day in enumerate(days(date(2027, 3, 1), 28))
        for code in ("douyin", "tmall")
    ]  # fmt: skip
    for p in (plan, other_plan):
        services.import_metrics(plan=p, actor=None, source=rows, filename="march.csv", size=0)
    services.rule_create(
        plan=plan,
        actor=users["editor"],
        name="Spend above 1,000",
        metric="spend",
        kind="bounds",
        upper=1000.0,
        severity="warning",
    )
    session = SessionStore()
    session["_auth_user_id"] = str(users["editor"].pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = users["editor"].get_session_auth_hash()
    session.create()
    token, _created = Token.objects.get_or_create(user=users["editor"])
    return {
        "plan": plan.pk,
        "other_plan": other_plan.pk,
        "subscribed": sorted(users[p].email for p in ("admin", "manager")),
        "session": session.session_key,
        "token": token.key,
    }


def spike(plan: int) -> dict[str, Any]:
    """Douyin's spend jumps to 1,500 on one new day: the next recompute opens one alert."""
    from monitoring import services
    from planner.models import Plan

    row = {"date": "2027-03-29", "channel": "douyin", "impressions": 1200, "clicks": 40,
           "visits": 25, "signups": 4, "conversions": 3, "new_users": 2,
           "spend": "1500.00", "revenue": "2100.00"}  # fmt: skip
    record = services.import_metrics(
        plan=Plan.objects.get(pk=plan), actor=None, source=[row], filename="spike.csv", size=0
    )
    return {"import": record.pk, "status": record.status}


def imports(plans: list[int], count: int, pause: float) -> dict[str, Any]:
    """``count`` one-day imports, round robin over ``plans``, ``pause`` seconds apart.

    Each commits its rows and asks for a recompute (published to the broker on commit).
    """
    from monitoring import services
    from planner.models import Plan

    by_id = {p.pk: p for p in Plan.objects.filter(pk__in=plans)}
    done = []
    for i in range(count):
        plan = by_id[plans[i % len(plans)]]
        day = date(2027, 4, 1) + timedelta(days=i // len(plans))
        row = {"date": day.isoformat(), "channel": "douyin", "impressions": 100 + i,
               "clicks": 5, "visits": 4, "signups": 1, "conversions": 1, "new_users": 1,
               "spend": "50.00", "revenue": "80.00"}  # fmt: skip
        record = services.import_metrics(
            plan=plan, actor=None, source=[row], filename=f"april-{i}.csv", size=0
        )
        done.append({"plan": plan.pk, "import": record.pk, "status": record.status})
        time.sleep(pause)
    return {"imports": done}


def request(plans: list[int]) -> dict[str, Any]:
    """Ask for a recompute of each plan (one committed request each)."""
    from monitoring import services
    from planner.models import Plan

    for plan in Plan.objects.filter(pk__in=plans):
        services.request_recompute(plan)
    return {"requested": plans}


def sweep() -> dict[str, Any]:
    """The outbox sweep, as beat runs it, at a time when every unfinished message is due."""
    from django.conf import settings
    from django.utils import timezone

    from core import outbox

    later = timezone.now() + settings.OUTBOX_RETRY_AFTER + timedelta(seconds=1)
    return {"published": outbox.sweep(now=later)}


COMMANDS: dict[str, Callable[..., dict[str, Any]]] = {
    "seed": seed,
    "spike": spike,
    "imports": imports,
    "request": request,
    "sweep": sweep,
}


def main() -> None:
    _setup()
    from django.db import close_old_connections, connections

    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        name = command.pop("command")
        close_old_connections()
        try:
            answer: dict[str, Any] = {"ok": True, **COMMANDS[name](**command)}
        except Exception as exc:
            traceback.print_exc()
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            connections.close_all()  # the database may be gone: reconnect next time
        sys.stdout.write(RESULT + json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
