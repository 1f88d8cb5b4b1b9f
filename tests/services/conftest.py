"""The services suite: PostgreSQL, Redis and a real Celery worker process.

Every test collected under this folder is marked ``services``; ``make test``
deselects them and ``make test-services`` runs them with DATABASE_URL and
REDIS_URL set. Run by mistake without those services they fail loudly (never
skip): a green run must mean the services were really exercised.

``celery_worker_process`` starts ``celery -A config worker`` as a subprocess
against the test database that pytest-django created, so tests that use it must
commit their data: mark them ``@pytest.mark.django_db(transaction=True)``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import served
from tests.services.support import WorkerProcess, redis_client, redis_url

HERE = Path(__file__).resolve().parent
BASE_DIR = HERE.parent.parent

WORKER_READY_TIMEOUT = 30.0  # seconds: a cold start is ~1-2 s on a laptop
WORKER_STOP_TIMEOUT = 15.0
READY_LINE = re.compile(r"@\S+ ready\.")


# --- marking and the services check --------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/services ``services`` (before ``-m`` deselects)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.services)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session", autouse=True)
def _require_services() -> None:
    """Fail (not skip) unless the suite runs on PostgreSQL and Redis."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    problems = []
    if not engine.endswith("postgresql"):
        problems.append(
            f"DATABASE_URL must point at PostgreSQL (the database engine is {engine!r})"
        )
    if not redis_url():
        problems.append("REDIS_URL must be set (the Celery broker and cache)")
    if problems:
        pytest.fail(
            "The services tests (tests/services, marker `services`) need PostgreSQL, "
            "Redis and a Celery worker: "
            + "; ".join(problems)
            + ". Run them with `make test-services`; `make test` deselects them.",
            pytrace=False,
        )
    db_index = int(urlsplit(redis_url()).path.lstrip("/") or 0)
    if db_index == 0:
        pytest.fail(
            f"REDIS_URL={redis_url()!r} names Redis database 0; the services tests flush "
            "their database, so give them a dedicated one (the Makefile uses /15).",
            pytrace=False,
        )
    try:
        redis_client().flushdb()
    except Exception as exc:
        pytest.fail(f"Redis at REDIS_URL={redis_url()!r} is not reachable: {exc}", pytrace=False)


_test_database_url = served.postgres_url  # the test database, for other processes


def _celery_executable() -> str:
    beside_python = Path(sys.executable).parent / "celery"
    if beside_python.exists():
        return str(beside_python)
    return str(BASE_DIR / ".venv" / "bin" / "celery")


def _start_worker(
    var_dir: Path, *, pool: str, extra_env: dict[str, str] | None = None
) -> WorkerProcess:
    name = f"test-{uuid.uuid4().hex[:10]}@%h"
    pool_args = ["--pool", "solo"] if pool == "solo" else ["--pool", "prefork", "-c", "2"]
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_url(),
        "ALMANAC_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SMTP_HOST", None)  # mail must go to files under var_dir/mail
    env.pop("CELERY_BROKER_URL", None)
    for key in ("SECRET_KEY", "DEBUG"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra_env or {})  # e.g. SMTP_HOST/SMTP_PORT of a test's own SMTP server
    var_dir.mkdir(parents=True, exist_ok=True)
    log_path = var_dir / "worker.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                _celery_executable(),
                "-A",
                "config",
                "worker",
                "-l",
                "INFO",
                *pool_args,
                "-Q",
                "celery",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-n",
                name,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool too
        )
    worker = WorkerProcess(name=name, pool=pool, proc=proc, log_path=log_path, var_dir=var_dir)
    deadline = time.monotonic() + WORKER_READY_TIMEOUT
    while not READY_LINE.search(worker.log()):
        if not worker.alive() or time.monotonic() > deadline:
            _stop_worker(worker)
            pytest.fail(
                f"the Celery worker did not become ready within {WORKER_READY_TIMEOUT:.0f} s "
                f"(exit code {proc.returncode}). Its log:\n{worker.log()}",
                pytrace=False,
            )
        time.sleep(0.05)
    return worker


def _stop_worker(worker: WorkerProcess) -> None:
    """Warm shutdown (SIGTERM); SIGKILL the whole process group after a timeout."""
    if worker.alive():
        worker.proc.send_signal(signal.SIGTERM)
        try:
            worker.proc.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait(timeout=WORKER_STOP_TIMEOUT)
    # Pool children exit with their parent; make sure none outlive it holding
    # connections to the test database (which pytest-django drops at the end).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.proc.pid, signal.SIGKILL)


@pytest.fixture
def celery_worker_factory(
    transactional_db, tmp_path, request
) -> Iterator[Callable[..., WorkerProcess]]:
    """``start(pool="prefork")`` → a ready worker; every worker started is stopped after.

    The test broker database is flushed before the test body runs, so nothing a
    previous test left on the queue reaches this test's worker. Workers are stopped
    before pytest-django flushes the tables (this fixture depends on
    ``transactional_db``), and their logs are printed when the test failed.
    """
    redis_client().flushdb()
    workers: list[WorkerProcess] = []

    def start(pool: str = "prefork", env: dict[str, str] | None = None) -> WorkerProcess:
        assert pool in {"solo", "prefork"}
        worker = _start_worker(tmp_path / f"worker-{len(workers)}", pool=pool, extra_env=env)
        workers.append(worker)
        return worker

    yield start

    died = [w for w in workers if not w.alive() and not w.killed]
    for worker in workers:
        _stop_worker(worker)
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed or died:
        for worker in workers:
            print(
                f"\n===== log of Celery worker {worker.name} ({worker.pool}), "
                f"exit code {worker.proc.returncode} =====\n{worker.log()}",
                file=sys.stderr,
            )
    if died:
        pytest.fail(f"Celery worker(s) exited during the test: {[w.name for w in died]}")


@pytest.fixture
def celery_worker_process(celery_worker_factory) -> WorkerProcess:
    """A real worker (prefork, concurrency 2), ready before the test body runs."""
    return celery_worker_factory("prefork")
