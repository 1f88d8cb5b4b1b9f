"""Optimistic locking under real concurrency on PostgreSQL.

Each writer is a thread with its own database connection and its own
transaction, so the conditional ``UPDATE … WHERE version = …`` of
``core.locking`` really races on the server (row locks, READ COMMITTED
re-evaluation), which the SQLite suite cannot show.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model

from core.errors import StaleVersion
from core.locking import update_versioned
from planner.models import Membership, Plan, Role
from planner.services import plan_update
from tests.services.support import run_threads

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

N_WRITERS = 8


def test_of_n_writers_with_the_same_version_exactly_one_wins(world):
    editor_id = world.users["editor"].pk
    plan_id = world.plan.pk
    v0 = Plan.objects.get(pk=plan_id).version  # the stale version every writer holds
    history_before = Plan.history.filter(id=plan_id, history_type="~").count()

    def writer(i: int, barrier: threading.Barrier) -> Plan:
        # Each thread reads its own copy and its own actor on its own connection
        # before anyone writes: all copies are at v0.
        plan = Plan.objects.get(pk=plan_id)
        editor = get_user_model().objects.get(pk=editor_id)
        assert plan.version == v0
        barrier.wait()
        return plan_update(
            plan=plan, expected_version=v0, changes={"name": f"writer {i}"}, actor=editor
        )

    results = run_threads(N_WRITERS, writer)

    winners = [i for i, r in enumerate(results) if isinstance(r, Plan)]
    stale = [r for r in results if isinstance(r, StaleVersion)]
    others = [r for r in results if not isinstance(r, Plan | StaleVersion)]
    assert others == [], f"unexpected outcomes: {others!r}"
    assert len(winners) == 1, f"winners: {winners}"
    assert len(stale) == N_WRITERS - 1
    (winner,) = winners

    plan = Plan.objects.get(pk=plan_id)
    assert plan.version == v0 + 1
    assert plan.name == f"writer {winner}"
    assert results[winner].version == v0 + 1
    # Every loser was told the current row: the winner's.
    for exc in stale:
        assert exc.current is not None
        assert exc.current.version == v0 + 1
        assert exc.current.name == f"writer {winner}"

    changes = Plan.history.filter(id=plan_id, history_type="~").order_by("history_id")
    assert changes.count() == history_before + 1
    record = changes.last()
    assert record.name == f"writer {winner}"
    assert record.version == v0 + 1
    assert record.history_user_id == editor_id


def test_read_modify_write_with_retry_loses_no_update(world):
    """N writers, K appends each, each retried on StaleVersion: nothing is lost."""
    n, k = N_WRITERS, 5
    max_attempts = 50 * n * k  # a bound: the loop must end even if locking were broken
    editor_id = world.users["editor"].pk
    plan_id = world.plan.pk
    start = Plan.objects.get(pk=plan_id)
    v0, d0 = start.version, start.description
    marks = [chr(ord("a") + i) for i in range(n)]  # each writer appends its own letter

    def writer(i: int, barrier: threading.Barrier) -> dict[str, int]:
        editor = get_user_model().objects.get(pk=editor_id)
        done = conflicts = 0
        barrier.wait()
        for _attempt in range(max_attempts):
            if done == k:
                break
            plan = Plan.objects.get(pk=plan_id)  # re-read: the current version and text
            try:
                plan_update(
                    plan=plan,
                    expected_version=plan.version,
                    changes={"description": plan.description + marks[i]},
                    actor=editor,
                )
            except StaleVersion:
                conflicts += 1
                continue
            done += 1
        return {"done": done, "conflicts": conflicts}

    results = run_threads(n, writer)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], f"writer errors: {errors!r}"
    assert [r["done"] for r in results] == [k] * n
    plan = Plan.objects.get(pk=plan_id)
    added = plan.description[len(d0) :]
    assert plan.description.startswith(d0)
    assert len(added) == n * k, "an update was lost"
    for mark in marks:
        assert added.count(mark) == k, f"writer {mark!r} lost an update"
    assert plan.version == v0 + n * k

    # The history shows versions v0+1 … v0+N·K, each once and in order, and each
    # version holds exactly one more character than the one before it.
    records = list(
        Plan.history.filter(id=plan_id, history_type="~", version__gt=v0)
        .order_by("history_id")
        .values_list("version", "description")
    )
    assert [version for version, _ in records] == list(range(v0 + 1, v0 + n * k + 1))
    for version, description in records:
        assert len(description) == len(d0) + (version - v0)
    # Not a vacuous pass: the writers really did collide.
    assert sum(r["conflicts"] for r in results) > 0


def test_update_versioned_is_generic_exactly_one_role_change_wins(world):
    membership = Membership.objects.get(workspace=world.workspace, user=world.users["viewer"])
    v0 = membership.version
    admin_id = world.users["admin"].pk
    history_before = Membership.history.filter(id=membership.pk, history_type="~").count()
    targets = [(Role.EDITOR, Role.MANAGER, Role.ADMIN)[i % 3] for i in range(N_WRITERS)]

    def writer(i: int, barrier: threading.Barrier) -> Membership:
        mine = Membership.objects.get(pk=membership.pk)
        admin = get_user_model().objects.get(pk=admin_id)
        assert mine.version == v0
        barrier.wait()
        return update_versioned(
            mine,
            expected_version=v0,
            changes={"role": targets[i]},
            actor=admin,
            reason=f"writer {i}",
        )

    results = run_threads(N_WRITERS, writer)

    winners = [i for i, r in enumerate(results) if isinstance(r, Membership)]
    others = [r for r in results if not isinstance(r, Membership | StaleVersion)]
    assert others == [], f"unexpected outcomes: {others!r}"
    assert len(winners) == 1, f"winners: {winners}"
    assert sum(isinstance(r, StaleVersion) for r in results) == N_WRITERS - 1
    (winner,) = winners

    membership.refresh_from_db()
    assert membership.version == v0 + 1
    assert membership.role == targets[winner]
    changes = Membership.history.filter(id=membership.pk, history_type="~")
    assert changes.count() == history_before + 1
    record = changes.order_by("history_id").last()
    assert record.role == targets[winner]
    assert record.history_change_reason == f"writer {winner}"
    assert record.history_user_id == admin_id
