"""Load: simulated users against gunicorn on loopback, PostgreSQL, Redis and a worker.

    python bench/load/run.py [--users 50] [--duration 5m] [--think 1-5] [--workers 5]

1. A fresh database (``LOAD_DATABASE_URL``, default ``almanac_load`` on the local
   PostgreSQL) with the demo loaded; tokens for the demo's editor, manager, admin.
2. gunicorn (``--workers``) and a Celery worker against it and Redis
   (``LOAD_REDIS_URL``, default db 9), as in production.
3. A warm-up of 10 s (one user per gunicorn worker, not counted), the reference: one
   user alone for ``--reference`` (30 s), then the load: ``--users``
   for ``--duration`` (locust, headless; ``bench/load/locustfile.py``: 70 % reads,
   20 % edits with If-Match, 10 % imports of 1,000 metric rows).
4. A table per category: requests, p50/p95/p99 under load, p95 of the single user and
   their ratio, the target (reads p95 < 500 ms, writes < 800 ms) and server errors
   (5xx, and tracebacks in gunicorn's log). Exit status 1 when a target is missed or
   a server error happened.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "load"
TARGETS_MS = {"read": 500, "write": 800}
SECRET = "load-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123"  # noqa: S105


def _env(database_url: str, redis_url: str | None, *, debug: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "DEBUG": "1" if debug else "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "COOKIE_SECURE": "0",
        "ALMANAC_VAR_DIR": str(VAR / "var"),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _fresh_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - loopback
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{url} did not answer:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)


def _locust(host: str, users: int, duration: str, prefix: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            "-r",
            str(max(1, users // 5)),
            "-t",
            duration,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )


def _stats(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def _server_errors(prefix: Path) -> int:
    errors = 0
    with open(f"{prefix}_failures.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if any(f"{code} Server Error" in row["Error"] for code in range(500, 600)):
                errors += int(row["Occurrences"])
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="5m")
    parser.add_argument("--reference", default="30s")
    parser.add_argument(
        "--think",
        default="1-5",
        help="seconds each user waits between two actions, MIN-MAX (default 1-5; "
        "0.5-1.5 is a stress run: each user five times as busy as a person)",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--keep-database", action="store_true", help="reuse the database of an earlier run"
    )
    args = parser.parse_args()
    database_url = os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/almanac_load"
    )
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")

    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    setup = _env(database_url, None, debug=True)  # load_demo: development only, tasks in-process
    if not args.keep_database:
        print(f"setting up {database_url} with the demo …", flush=True)
        _fresh_database(database_url)
        _manage(setup, "migrate", "--noinput", "-v0")
        _manage(setup, "load_demo")
    script = (
        "from rest_framework.authtoken.models import Token;"
        "from django.contrib.auth.models import User;"
        "from planner.models import Plan;"
        "names=['demo-editor','demo-manager','demo-admin'];"
        "print(','.join(Token.objects.get_or_create(user=User.objects.get(username=n))[0].key"
        " for n in names));print(','.join(names));"
        "print(Plan.objects.get(workspace__slug='demo', scenario_of__isnull=True).pk)"
    )
    tokens, usernames, plan = _manage(setup, "shell", "-c", script).splitlines()[-3:]

    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = _env(database_url, redis_url, debug=False)
    processes: list[subprocess.Popen] = []
    gunicorn_log = VAR / "gunicorn.log"
    worker_log = VAR / "worker.log"
    try:
        with worker_log.open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "celery"), "-A", "config", "worker", "-c", "2", "-l", "WARNING"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        with gunicorn_log.open("wb") as log:
            web = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi:application",
                    "--workers",
                    str(args.workers),
                    "--bind",
                    "127.0.0.1:8765",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append(web)
        host = "http://127.0.0.1:8765"
        _wait_http(host + "/accounts/login/", web, gunicorn_log)
        locust_env = {
            **os.environ,
            "LOAD_PLAN": plan,
            "LOAD_TOKENS": tokens,
            "LOAD_USERNAMES": usernames,
            "LOAD_SUMMARY": str(VAR / "summary.json"),
            "LOAD_THINK": args.think,
        }
        # Every gunicorn worker loads its code, templates and caches on its first
        # requests: a warm-up (not counted) so the reference measures a warm server.
        print(f"warm-up: {args.workers} users for 10s (not counted) …", flush=True)
        _locust(host, args.workers, "10s", VAR / "warmup", locust_env)
        print(f"reference: 1 user for {args.reference} …", flush=True)
        _locust(host, 1, args.reference, VAR / "reference", locust_env)
        print(
            f"load: {args.users} users for {args.duration}, {args.think} s between actions "
            f"({args.workers} gunicorn workers) …"
        )
        _locust(host, args.users, args.duration, VAR / "load", locust_env)
    finally:
        for proc in processes:
            proc.send_signal(signal.SIGTERM)
        for proc in processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    reference, load = _stats(VAR / "reference"), _stats(VAR / "load")
    server_errors = sum(_server_errors(VAR / run) for run in ("warmup", "reference", "load"))
    tracebacks = gunicorn_log.read_text(errors="replace").count("Traceback")
    summary = json.loads((VAR / "summary.json").read_text())
    ok = server_errors == 0 and tracebacks == 0
    print()
    print(
        f"{'category':<9}{'requests':>9}{'failed':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'1-user p95':>12}{'ratio':>7}{'target':>8}  ok"
    )
    for name in ("read", "write", "import", "login"):
        row = load.get(name)
        if row is None:
            continue
        p95 = float(row["95%"])
        single = float(reference.get(name, {}).get("95%", "nan") or "nan")
        target = TARGETS_MS.get(name)
        passed = target is None or p95 < target
        ok = ok and passed
        print(
            f"{name:<9}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{float(row['50%']):>8.0f}{p95:>8.0f}{float(row['99%']):>8.0f}"
            f"{single:>12.0f}{p95 / single if single else float('nan'):>7.1f}"
            f"{(f'< {target}' if target else '—'):>8}  {'yes' if passed else 'NO'}"
        )
    print(
        f"\nserver errors (5xx): {server_errors}; tracebacks in gunicorn's log: {tracebacks}; "
        f"edits that met a newer version (412, expected): {summary['write']}"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
