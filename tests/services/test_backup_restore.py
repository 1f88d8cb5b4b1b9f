"""Backup and restore (README "Operations"): ops/backup.sh then ops/restore.sh into a
fresh database gives back every row of a seeded plan, identical, and the sequences
continue where they were (new rows after a restore never collide)."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.services.conftest import _test_database_url

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint(dsn: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table; sequence values."""
    result: dict[str, tuple[int, str]] = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"
        )
        for (table,) in cur.fetchall():
            cur.execute(
                f"select count(*), coalesce(md5(string_agg(md5(t::text), '' "  # noqa: S608
                f"order by md5(t::text))), '') from \"{table}\" t"
            )
            count, digest = cur.fetchone()
            result[table] = (count, digest)
        cur.execute("select sequencename, last_value from pg_sequences where schemaname='public'")
        for name, value in cur.fetchall():
            result[f"sequence:{name}"] = (value or 0, "")
    conn.close()
    return result


def test_backup_and_restore_give_back_every_row(demo, tmp_path):
    source = _test_database_url()
    before = _fingerprint(source)
    assert before["planner_plan"][0] >= 1
    assert before["budget_budgetline"][0] > 0
    assert before["monitoring_dailymetric"][0] > 1000

    target_name = f"almanac_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:
        cur.execute(f'create database "{target_name}"')
    target = source.rsplit("/", 1)[0] + "/" + target_name
    dump = tmp_path / "almanac.dump"
    try:
        env = {**os.environ, "DATABASE_URL": source}
        backup = subprocess.run(
            ["ops/backup.sh", str(dump)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert backup.returncode == 0, backup.stderr
        assert dump.stat().st_size > 0

        env["DATABASE_URL"] = target
        restore = subprocess.run(
            ["ops/restore.sh", str(dump)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert restore.returncode == 0, restore.stderr
        after = _fingerprint(target)
        assert after == before

        again = subprocess.run(
            ["ops/restore.sh", str(dump)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert again.returncode == 3
        assert "not empty" in again.stderr
        assert _fingerprint(target) == before  # the refused restore wrote nothing
    finally:
        with connection.cursor() as cur:
            cur.execute(f'drop database if exists "{target_name}" with (force)')
